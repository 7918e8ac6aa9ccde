using System.Net.Sockets;
using Microsoft.AspNetCore.Connections.Features;

namespace XenMatchbox.TestServer;

/// <summary>
/// A download that ends early: the headers promise the whole file, the connection closes after
/// <c>bytesToSend</c> bytes. A client must notice the short body rather than keep a partial file.
/// </summary>
internal sealed class TruncateFault(long bytesToSend) : DeclaredBodyFault
{
    protected override async Task SendBodyAsync(HttpContext context, AssetFile asset, CancellationToken stopping)
    {
        await asset.WritePrefixAsync(context.Response, bytesToSend, stopping);
        if (bytesToSend >= asset.Length)
        {
            return;
        }
        // End with a FIN, then wait for the client to hang up. Aborting at once would reset the
        // connection, and a reset makes the client's kernel drop bytes the client has not read yet,
        // so it would see fewer bytes than were sent, or none.
        context.Features.Get<IConnectionSocketFeature>()?.Socket.Shutdown(SocketShutdown.Send);
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, stopping);
        }
        catch (OperationCanceledException)
        {
            // The client closed its side (or the server is stopping).
        }
        context.Abort();
    }

    public override string ToString() => $"Truncate({bytesToSend})";
}
