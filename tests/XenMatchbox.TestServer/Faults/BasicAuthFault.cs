using System.Text;

namespace XenMatchbox.TestServer;

/// <summary>
/// The asset behind HTTP Basic authentication: 401 with a challenge unless the request carries
/// exactly these credentials, then the normal answer.
/// </summary>
internal sealed class BasicAuthFault(string user, string password) : AssetFault
{
    private readonly string expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    public override Task RespondAsync(HttpContext context, AssetFile? asset, CancellationToken stopping)
    {
        if (context.Request.Headers.Authorization.ToString() != expected)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"assets\"";
            return Task.CompletedTask;
        }
        return asset is null ? NotFoundAsync(context) : AssetRequests.ServeAsync(context, asset);
    }

    public override string ToString() => $"BasicAuth({user})";
}
