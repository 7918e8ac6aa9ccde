namespace XenMatchbox.TestServer;

/// <summary>A store with no groups and no profiles: every selection is "No matching Group".</summary>
public sealed class EmptyStore : IMatchboxStore
{
    /// <inheritdoc />
    public ValueTask<IReadOnlyList<MatchboxGroup>> ListGroupsAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<MatchboxGroup>>([]);

    /// <inheritdoc />
    public ValueTask<MatchboxProfile?> GetProfileAsync(string id, CancellationToken cancellationToken) =>
        ValueTask.FromResult<MatchboxProfile?>(null);
}
