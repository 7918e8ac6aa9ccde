namespace XenMatchbox.TestServer;

/// <summary>
/// A download that stops moving: the headers promise the whole file, <c>afterBytes</c> bytes are
/// sent, then nothing until the client aborts (or the server stops). Tests a client's read timeout.
/// </summary>
internal sealed class StallFault(long afterBytes) : DeclaredBodyFault
{
    protected override async Task SendBodyAsync(HttpContext context, AssetFile asset, CancellationToken stopping)
    {
        try
        {
            await asset.WritePrefixAsync(context.Response, afterBytes, stopping);
            await Task.Delay(Timeout.InfiniteTimeSpan, stopping);
        }
        catch (OperationCanceledException)
        {
            // The client gave up or the server is stopping: the stall is over.
        }
        context.Abort();
    }

    public override string ToString() => $"Stall({afterBytes})";
}
