using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace XenMatchbox.TestServer;

/// <summary>
/// The HTTP listener: matchbox's read-only HTTP endpoints and assets; plain, or over TLS with the
/// server certificate (as matchbox's -web-ssl, or an https:// asset server) when given one.
/// </summary>
internal static class HttpEndpointHost
{
    public static WebApplication Build(
        ServerState state, IPEndPoint endPoint, Action<ILoggingBuilder>? configureLogging, ServerTlsFiles? tls = null)
    {
        var builder = QuietWebHost.CreateBuilder(configureLogging);
        // Next to no output buffering: a flush returns only once the socket has taken the bytes, so
        // a fault that closes the connection right after a flush loses none of them.
        builder.WebHost.UseSockets(sockets => sockets.MaxWriteBufferSize = 1);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxResponseBufferSize = 1;
            kestrel.Listen(endPoint, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                listen.RecordClients(state.Connections, MatchboxListener.Http, state.RecordClientUids);
                if (tls is not null)
                {
                    listen.UseHttps(X509Certificate2.CreateFromPemFile(tls.CertFile, tls.KeyFile));
                }
            });
        });
        var app = builder.Build();
        var stopping = app.Lifetime.ApplicationStopping;
        app.Use(RequestRecording.Middleware(state.Counters, countBody: true));
        app.Run(context => HttpRoutes.DispatchAsync(context, state, stopping));
        return app;
    }
}
