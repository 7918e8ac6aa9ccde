namespace XenMatchbox.TestServer;

/// <summary>A redirect elsewhere, whether or not the asset exists.</summary>
internal sealed class RedirectFault(string location, int statusCode) : AssetFault
{
    public override Task RespondAsync(HttpContext context, AssetFile? asset, CancellationToken stopping)
    {
        context.Response.StatusCode = statusCode;
        context.Response.Headers.Location = location;
        context.Response.ContentLength = 0;
        return Task.CompletedTask;
    }

    public override string ToString() => $"Redirect({statusCode} {location})";
}
