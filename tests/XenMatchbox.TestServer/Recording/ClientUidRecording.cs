using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace XenMatchbox.TestServer;

/// <summary>
/// Kestrel connection middleware that records, for every accepted TCP connection, the uid owning the
/// client's socket. It runs as the connection starts, before TLS, so a connection whose handshake
/// then fails is recorded too, and while the client still holds its socket open (a client that
/// connects and closes at once may be recorded with a null uid).
/// </summary>
internal static class ClientUidRecording
{
    public static void RecordClients(this ListenOptions listen, RecordLog<ClientConnection> log, MatchboxListener listener, bool withUids) =>
        listen.Use(next => async connection =>
        {
            if (connection.RemoteEndPoint is IPEndPoint client && connection.LocalEndPoint is IPEndPoint server)
            {
                // Same machine, so the client's socket is also in /proc/net/tcp, seen from its side:
                // local address = the client's, remote = ours.
                log.Add(new ClientConnection(listener, client, withUids ? ProcNetTcp.OwnerUid(local: client, remote: server) : null));
            }
            await next(connection);
        });
}
