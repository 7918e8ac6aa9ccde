namespace XenMatchbox.TestServer;

/// <summary>An in-memory store holding a fixed set of groups and profiles.</summary>
public sealed class FixedStore : IMatchboxStore
{
    private readonly IReadOnlyList<MatchboxGroup> groups;
    private readonly Dictionary<string, MatchboxProfile> profiles;

    /// <summary>Holds these groups (in this order) and profiles (found by id; a later duplicate wins).</summary>
    public FixedStore(IEnumerable<MatchboxGroup> groups, IEnumerable<MatchboxProfile> profiles)
    {
        this.groups = [.. groups];
        this.profiles = new Dictionary<string, MatchboxProfile>(StringComparer.Ordinal);
        foreach (var profile in profiles)
        {
            this.profiles[profile.Id] = profile;
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<MatchboxGroup>> ListGroupsAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(groups);

    /// <inheritdoc />
    public ValueTask<MatchboxProfile?> GetProfileAsync(string id, CancellationToken cancellationToken) =>
        ValueTask.FromResult(profiles.GetValueOrDefault(id));
}
