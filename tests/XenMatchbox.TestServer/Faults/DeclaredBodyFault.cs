namespace XenMatchbox.TestServer;

/// <summary>
/// A body fault whose headers promise the asset's whole Content-Length; what the body then does is
/// the fault. A path that names no asset file answers 404.
/// </summary>
internal abstract class DeclaredBodyFault : AssetFault
{
    public sealed override Task RespondAsync(HttpContext context, AssetFile? asset, CancellationToken stopping)
    {
        if (asset is null)
        {
            return NotFoundAsync(context);
        }
        context.Response.ContentType = asset.ContentType;
        context.Response.ContentLength = asset.Length;
        return SendBodyAsync(context, asset, stopping);
    }

    /// <summary>Writes (some of) the body after the headers.</summary>
    protected abstract Task SendBodyAsync(HttpContext context, AssetFile asset, CancellationToken stopping);
}
