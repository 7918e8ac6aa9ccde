using System.Net;

namespace XenMatchbox.TestServer;

/// <summary>The two listeners of a <see cref="MatchboxTestServer"/>.</summary>
public enum MatchboxListener
{
    /// <summary>The plain-HTTP listener (<c>/</c>, <c>/ipxe</c>, <c>/assets/…</c>).</summary>
    Http,

    /// <summary>The gRPC (mutual TLS) listener.</summary>
    Grpc,
}

/// <summary>One TCP connection a listener accepted, and who opened it.</summary>
/// <param name="Listener">The listener that accepted it.</param>
/// <param name="Client">The client's address and port.</param>
/// <param name="Uid">
/// The uid that owns the client's socket, from <c>/proc/net/tcp</c> or <c>/proc/net/tcp6</c>: the
/// effective (fs) uid of the process when it created the socket. Null when the socket was not found:
/// the client had already closed it, it lives in another network namespace, or this is not Linux.
/// </param>
public sealed record ClientConnection(MatchboxListener Listener, IPEndPoint Client, int? Uid);
