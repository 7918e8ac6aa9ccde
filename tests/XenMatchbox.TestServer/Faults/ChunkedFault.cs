namespace XenMatchbox.TestServer;

/// <summary>
/// The whole asset without a Content-Length (HTTP/1.1 chunked transfer encoding), as a proxy or a
/// dynamic server might send it: a client cannot know the size up front.
/// </summary>
internal sealed class ChunkedFault : AssetFault
{
    public override async Task RespondAsync(HttpContext context, AssetFile? asset, CancellationToken stopping)
    {
        if (asset is null)
        {
            await NotFoundAsync(context);
            return;
        }
        context.Response.ContentType = asset.ContentType;
        // Headers go out before the body is known to be complete, so Kestrel has to chunk it.
        await context.Response.StartAsync(stopping);
        await asset.WritePrefixAsync(context.Response, asset.Length, stopping);
    }

    public override string ToString() => "Chunked";
}
