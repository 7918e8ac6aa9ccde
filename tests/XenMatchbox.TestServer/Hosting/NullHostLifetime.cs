namespace XenMatchbox.TestServer;

/// <summary>
/// A host lifetime that leaves signals alone: an in-process server must not take Ctrl+C or SIGTERM
/// from the test process, and the program handles them itself.
/// </summary>
internal sealed class NullHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
