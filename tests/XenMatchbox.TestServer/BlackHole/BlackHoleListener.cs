using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace XenMatchbox.TestServer;

/// <summary>
/// A TCP port on 127.0.0.1 where connecting never completes: the client's SYNs get no answer, so
/// connect() hangs until the client's own timeout, as with a firewalled or unroutable server (which
/// loopback-only tests cannot use). For connect-timeout tests. Linux only.
/// </summary>
/// <remarks>
/// How: a socket listens with backlog 0 and is never accept()ed; this class then opens one
/// connection to it itself and keeps it. Linux drops an incoming SYN when the listener's accept
/// queue is full (more waiting connections than the backlog, so one is enough), counting it in
/// ListenOverflows, with no SYN-ACK and no RST. It does so whatever net.ipv4.tcp_syncookies says;
/// were net.ipv4.tcp_abort_on_overflow 1, a connection completing into a full queue would get a RST
/// instead, but that only concerns the final ACK, not the SYN. The client retransmits its SYN
/// (net.ipv4.tcp_syn_retries, 6 by default: about 127 s) and then fails with ETIMEDOUT, unless its
/// own timeout ends it first. The queue stays full for as long as this object lives.
/// </remarks>
/// <example>
/// <code>
/// using var blackHole = new BlackHoleListener();
/// // e.g. --server 127.0.0.1 --grpcport {blackHole.Port}: the bootloader's connect timeout must fire.
/// </code>
/// </example>
public sealed class BlackHoleListener : IDisposable
{
    // Normally one filler suffices; a few more in case a filler's final ACK was still in flight
    // when the queue was checked.
    private const int MaxFillers = 4;
    private static readonly TimeSpan FillerTimeout = TimeSpan.FromSeconds(1);

    private readonly Socket listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly List<Socket> fillers = [];

    /// <summary>Binds a free port on 127.0.0.1 and fills its accept queue; returns once SYNs to it are dropped.</summary>
    /// <exception cref="PlatformNotSupportedException">Not Linux, or the queue could not be filled.</exception>
    public BlackHoleListener()
    {
        try
        {
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(0);
            EndPoint = (IPEndPoint)listener.LocalEndPoint!;
            Fill();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The address clients should try (and fail) to connect to.</summary>
    public IPEndPoint EndPoint { get; } = new(IPAddress.Loopback, 0);

    /// <summary>The port on 127.0.0.1.</summary>
    public int Port => EndPoint.Port;

    /// <summary><c>127.0.0.1:port</c>.</summary>
    public string Address => EndPoint.ToString();

    /// <summary>Closes the listener and its filler connections; the port then refuses connections.</summary>
    public void Dispose()
    {
        foreach (var filler in fillers)
        {
            filler.Dispose();
        }
        listener.Dispose();
    }

    private void Fill()
    {
        for (var i = 0; i < MaxFillers && !AcceptQueue.IsFull(listener); i++)
        {
            var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            fillers.Add(filler);
            try
            {
                // connect() returns on the SYN-ACK; the kernel queues the connection when our ACK
                // arrives, a moment later.
                using var timeout = new CancellationTokenSource(FillerTimeout);
                filler.ConnectAsync(EndPoint, timeout.Token).AsTask().GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                // The SYN was dropped: an earlier filler has filled the queue by now.
            }
            WaitUntilFull(FillerTimeout);
        }
        if (!AcceptQueue.IsFull(listener))
        {
            throw new PlatformNotSupportedException("could not fill the listener's accept queue");
        }
    }

    private void WaitUntilFull(TimeSpan limit)
    {
        for (var clock = Stopwatch.StartNew(); !AcceptQueue.IsFull(listener) && clock.Elapsed < limit;)
        {
            Thread.Sleep(1);
        }
    }
}
