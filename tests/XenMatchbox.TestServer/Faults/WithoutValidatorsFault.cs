namespace XenMatchbox.TestServer;

/// <summary>
/// The whole asset with its Content-Length but neither ETag nor Last-Modified, and every request
/// answered in full (conditional headers ignored), as a plain dynamic server might.
/// </summary>
internal sealed class WithoutValidatorsFault : AssetFault
{
    public override async Task RespondAsync(HttpContext context, AssetFile? asset, CancellationToken stopping)
    {
        if (asset is null)
        {
            await NotFoundAsync(context);
            return;
        }
        context.Response.ContentType = asset.ContentType;
        context.Response.ContentLength = asset.Length;
        await asset.WritePrefixAsync(context.Response, asset.Length, stopping);
    }

    public override string ToString() => "WithoutValidators";
}
