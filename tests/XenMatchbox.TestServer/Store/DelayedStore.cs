namespace XenMatchbox.TestServer;

/// <summary>
/// Another store behind a delay on every read: a slow server, for deadline and timeout tests.
/// The delay ends early when the request is cancelled.
/// </summary>
/// <param name="inner">The store that answers after the delay.</param>
/// <param name="delay">How long each read waits first.</param>
public sealed class DelayedStore(IMatchboxStore inner, TimeSpan delay) : IMatchboxStore
{
    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<MatchboxGroup>> ListGroupsAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(delay, cancellationToken);
        return await inner.ListGroupsAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<MatchboxProfile?> GetProfileAsync(string id, CancellationToken cancellationToken)
    {
        await Task.Delay(delay, cancellationToken);
        return await inner.GetProfileAsync(id, cancellationToken);
    }
}
