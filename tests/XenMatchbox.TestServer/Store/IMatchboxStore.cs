namespace XenMatchbox.TestServer;

/// <summary>
/// Where the server reads groups and profiles, on every request (nothing is cached, as in matchbox).
/// </summary>
public interface IMatchboxStore
{
    /// <summary>
    /// Every group the store can read, in store order; unreadable entries are left out.
    /// Throws when the groups cannot be listed at all (gRPC SelectGroup then answers UNKNOWN).
    /// </summary>
    ValueTask<IReadOnlyList<MatchboxGroup>> ListGroupsAsync(CancellationToken cancellationToken);

    /// <summary>The profile with that id; null (or a throw) when it is missing or unreadable.</summary>
    ValueTask<MatchboxProfile?> GetProfileAsync(string id, CancellationToken cancellationToken);
}
