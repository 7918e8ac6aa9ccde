using System.Net;
using System.Net.Sockets;
using System.Text;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// A server on 127.0.0.1 that answers every connection with the same bytes, whatever they are
/// (not HTTP, broken HTTP), after reading the request's head (at most 64 KiB), then closes. For
/// answers a real HTTP server cannot be made to send. With <c>reset</c>, the connection is reset
/// (RST) after the answer instead of closed. Stops when disposed.
/// </summary>
public sealed class RawHttpServer : IDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly Task serving;
    private readonly bool reset;
    private int connections;

    public RawHttpServer(byte[] answer, bool reset = false)
    {
        this.reset = reset;
        listener.Start();
        serving = Task.Run(() => ServeAsync(answer));
    }

    public RawHttpServer(string answer) : this(Encoding.ASCII.GetBytes(answer)) { }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref connections);

    private async Task ServeAsync(byte[] answer)
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            Interlocked.Increment(ref connections);
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        var stream = client.GetStream();
                        await ReadHeadAsync(stream);
                        await stream.WriteAsync(answer, stop.Token);
                        if (reset)
                        {
                            client.Client.LingerState = new LingerOption(true, 0);
                            return;
                        }
                        client.Client.Shutdown(SocketShutdown.Send);
                        await Task.Delay(200, stop.Token);
                    }
                    catch (Exception e) when (e is IOException or SocketException or OperationCanceledException) { }
                }
            });
        }
    }

    private async Task ReadHeadAsync(NetworkStream stream)
    {
        var head = new List<byte>();
        var buffer = new byte[4096];
        while (head.Count < 65536)
        {
            var read = await stream.ReadAsync(buffer, stop.Token);
            if (read == 0) return;
            head.AddRange(buffer.AsSpan(0, read));
            if (Encoding.ASCII.GetString([.. head]).Contains("\r\n\r\n", StringComparison.Ordinal)) return;
        }
    }

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
        try { serving.Wait(TimeSpan.FromSeconds(5)); }
        catch (AggregateException) { }
        stop.Dispose();
    }
}
