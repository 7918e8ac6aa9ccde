using System.Net;
using System.Net.Sockets;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// A hung server: a TCP listener that accepts every connection and never sends a byte (nor
/// closes) until disposed, as a matchbox whose process is stuck would. Connecting succeeds; the
/// client's TLS handshake or request waits for its own timeout.
/// </summary>
public sealed class SilentListener : IDisposable
{
    private readonly TcpListener listener;
    private readonly CancellationTokenSource stop = new();
    private readonly List<TcpClient> held = [];
    private int connections;

    public SilentListener(IPEndPoint endPoint)
    {
        listener = new TcpListener(endPoint);
        listener.Start();
        _ = Task.Run(AcceptAsync);
    }

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref connections);

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var client = await listener.AcceptTcpClientAsync(stop.Token);
                Interlocked.Increment(ref connections);
                lock (held)
                {
                    held.Add(client);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
        lock (held)
        {
            foreach (var client in held)
            {
                client.Dispose();
            }
        }
        stop.Dispose();
    }
}
