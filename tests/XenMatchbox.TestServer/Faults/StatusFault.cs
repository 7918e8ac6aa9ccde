namespace XenMatchbox.TestServer;

/// <summary>An error (or any) status with an empty body, whether or not the asset exists.</summary>
internal sealed class StatusFault(int statusCode) : AssetFault
{
    public override Task RespondAsync(HttpContext context, AssetFile? asset, CancellationToken stopping)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentLength = 0;
        return Task.CompletedTask;
    }

    public override string ToString() => $"Status({statusCode})";
}
