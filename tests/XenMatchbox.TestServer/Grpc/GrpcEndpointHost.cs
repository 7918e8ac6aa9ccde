using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace XenMatchbox.TestServer;

/// <summary>
/// The gRPC listener: HTTP/2 over mutual TLS, serving rpcpb.Select and nothing else (no reflection,
/// no health service), like matchbox's read path.
/// </summary>
internal static class GrpcEndpointHost
{
    private const int SolSocket = 1;
    private const int SoReusePort = 15;

    public static WebApplication Build(ServerState state, IPEndPoint endPoint, ServerTlsFiles tls, Action<ILoggingBuilder>? configureLogging)
    {
        var https = MatchboxTls.Options(tls);
        var builder = QuietWebHost.CreateBuilder(configureLogging);
        // SO_REUSEPORT, so that a restarted listener (MatchboxTestServer.RestartGrpcAsync) binds the
        // same port while the stopped one is still closing its socket.
        builder.WebHost.UseSockets(sockets => sockets.CreateBoundListenSocket = bound =>
        {
            var socket = new Socket(bound.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            if (OperatingSystem.IsLinux())
            {
                socket.SetRawSocketOption(SolSocket, SoReusePort, BitConverter.GetBytes(1));
            }
            socket.Bind(bound);
            return socket;
        });
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(endPoint, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            listen.RecordClients(state.Connections, MatchboxListener.Grpc, state.RecordClientUids); // before TLS: see every connection
            listen.UseHttps(https);
        }));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(state);
        var app = builder.Build();
        app.Use(RequestRecording.Middleware(state.Counters, countBody: false));
        app.MapGrpcService<SelectService>();
        return app;
    }
}
