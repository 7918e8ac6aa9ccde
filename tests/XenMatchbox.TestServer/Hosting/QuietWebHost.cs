using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace XenMatchbox.TestServer;

/// <summary>
/// The bare ASP.NET Core host both listeners run on: Kestrel only, no configuration files or
/// environment variables, no logging unless asked for, no signal handling, quick to stop.
/// </summary>
internal static class QuietWebHost
{
    // Requests still running when the server stops (stalled downloads) are cut off after this.
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(1);

    public static WebApplicationBuilder CreateBuilder(Action<ILoggingBuilder>? configureLogging)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        builder.Services.AddSingleton<IHostLifetime, NullHostLifetime>();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = ShutdownTimeout);
        configureLogging?.Invoke(builder.Logging);
        return builder;
    }

    /// <summary>The address the started application listens on (the real port when 0 was asked for).</summary>
    public static IPEndPoint BoundEndPoint(WebApplication app)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!
            .Addresses.Single();
        var uri = new Uri(address);
        return new IPEndPoint(IPAddress.Parse(uri.Host.Trim('[', ']')), uri.Port);
    }
}
