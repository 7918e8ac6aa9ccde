namespace XenMatchbox.TestServer;

/// <summary>200 with exactly these bytes, whatever the path names (a signature served in place of the server's own).</summary>
internal sealed class BodyFault(byte[] body) : AssetFault
{
    public override Task RespondAsync(HttpContext context, AssetFile? asset, CancellationToken stopping)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, stopping).AsTask();
    }

    public override string ToString() => $"Body({body.Length} bytes)";
}
