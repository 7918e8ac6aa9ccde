using Microsoft.Net.Http.Headers;

namespace XenMatchbox.TestServer;

/// <summary>
/// The asset answered as matchbox v0.9.0's asset server (Go's <c>http.FileServer</c>) answers it:
/// Last-Modified in whole seconds and no ETag; a GET whose If-Modified-Since is not older than the
/// file's time (to the second) gets 304 with the file's Last-Modified and no body, however the file
/// changed, so a file replaced by an older build (a rollback) is "not modified"; HEAD gets the
/// headers of a full answer.
/// </summary>
internal sealed class GoFileServerFault : AssetFault
{
    public override async Task RespondAsync(HttpContext context, AssetFile? asset, CancellationToken stopping)
    {
        if (asset is null)
        {
            await NotFoundAsync(context);
            return;
        }
        var modified = TruncateToSeconds(asset.LastModified);
        context.Response.Headers.LastModified = HeaderUtilities.FormatDate(modified);
        var since = context.Request.Headers.IfModifiedSince.ToString();
        if (HttpMethods.IsGet(context.Request.Method)
            && HeaderUtilities.TryParseDate(since, out var date)
            && modified <= date)
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        context.Response.ContentType = asset.ContentType;
        context.Response.ContentLength = asset.Length;
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }
        await asset.WritePrefixAsync(context.Response, asset.Length, stopping);
    }

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset time) =>
        new(time.UtcTicks - time.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    public override string ToString() => "GoFileServer";
}
