namespace XenMatchbox.TestServer;

/// <summary>
/// A server that lies about the size: the headers declare <c>declared</c> bytes (up to
/// long.MaxValue) whatever the file holds, the body is the file's first bytes, then the connection
/// is cut. A client must judge the declared size, and must not let it overflow its arithmetic.
/// </summary>
internal sealed class DeclaredLengthFault(long declared) : AssetFault
{
    public override async Task RespondAsync(HttpContext context, AssetFile? asset, CancellationToken stopping)
    {
        if (asset is null)
        {
            await NotFoundAsync(context);
            return;
        }
        context.Response.ContentType = asset.ContentType;
        context.Response.ContentLength = declared;
        await asset.WritePrefixAsync(context.Response, Math.Min(4096, asset.Length), stopping);
        context.Abort();
    }

    public override string ToString() => $"DeclaredLength({declared})";
}
