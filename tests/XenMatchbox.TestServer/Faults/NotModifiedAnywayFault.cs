namespace XenMatchbox.TestServer;

/// <summary>
/// A careless cache or proxy in front of the asset: any request that carries If-None-Match or
/// If-Modified-Since gets 304, with the file's current ETag and Last-Modified, whether or not they
/// match what the client sent; other requests are answered normally.
/// </summary>
internal sealed class NotModifiedAnywayFault : AssetFault
{
    public override Task RespondAsync(HttpContext context, AssetFile? asset, CancellationToken stopping)
    {
        if (asset is null)
        {
            return NotFoundAsync(context);
        }
        var headers = context.Request.Headers;
        if (headers.IfNoneMatch.Count == 0 && headers.IfModifiedSince.Count == 0)
        {
            return AssetRequests.ServeAsync(context, asset);
        }
        context.Response.StatusCode = StatusCodes.Status304NotModified;
        context.Response.Headers.ETag = AssetRequests.EntityTag(asset).ToString();
        context.Response.Headers.LastModified = Microsoft.Net.Http.Headers.HeaderUtilities.FormatDate(asset.LastModified);
        return Task.CompletedTask;
    }

    public override string ToString() => "NotModifiedAnyway";
}
