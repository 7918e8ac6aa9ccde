using System.Diagnostics;

namespace XenMatchbox.TestServer;

/// <summary>
/// A download that is slow but healthy: the headers promise the whole file and all of it is sent, at
/// about <c>bytesPerSecond</c>, in a small write every <see cref="Tick"/>. Keeps a download in
/// progress for a predictable time (e.g. to signal the client mid-download).
/// </summary>
internal sealed class SlowBodyFault : DeclaredBodyFault
{
    // Small writes at a steady pace rather than one burst a second, so the client sees progress
    // throughout and its read timeouts (usually seconds) never fire.
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);

    private readonly long bytesPerSecond;

    public SlowBodyFault(long bytesPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytesPerSecond);
        this.bytesPerSecond = bytesPerSecond;
    }

    protected override async Task SendBodyAsync(HttpContext context, AssetFile asset, CancellationToken stopping)
    {
        var buffer = new byte[Math.Clamp(bytesPerSecond * Tick.Ticks / TimeSpan.TicksPerSecond, 1, 64 * 1024)];
        try
        {
            await using var source = asset.OpenRead();
            var clock = Stopwatch.StartNew();
            for (long sent = 0; sent < asset.Length;)
            {
                // Pace by the total sent so far, so rounding and late timers do not add up.
                var due = TimeSpan.FromSeconds((double)sent / bytesPerSecond) - clock.Elapsed;
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, stopping);
                }
                var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, asset.Length - sent)), stopping);
                if (read == 0)
                {
                    break; // the file shrank: the client sees a short body
                }
                await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), stopping);
                await context.Response.Body.FlushAsync(stopping);
                sent += read;
            }
        }
        catch (OperationCanceledException)
        {
            // The client gave up or the server is stopping: end the connection mid-body.
            context.Abort();
        }
    }

    public override string ToString() => $"SlowBody({bytesPerSecond}/s)";
}
