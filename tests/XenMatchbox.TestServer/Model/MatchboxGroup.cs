namespace XenMatchbox.TestServer;

/// <summary>
/// A matchbox group: machines whose labels satisfy every selector entry boot the named profile.
/// </summary>
public sealed record MatchboxGroup
{
    /// <summary>Machine-readable id (the file name under <c>groups/</c> for a file store).</summary>
    public string Id { get; init; } = "";

    /// <summary>Human-readable name.</summary>
    public string Name { get; init; } = "";

    /// <summary>Id of the profile that matched machines boot.</summary>
    public string Profile { get; init; } = "";

    /// <summary>
    /// Labels a request must carry with exactly these values; empty makes this the default group.
    /// A key that lowercases to <c>mac</c> is normalised to the canonical MAC form when selecting.
    /// </summary>
    public IReadOnlyDictionary<string, string> Selector { get; init; } = new Dictionary<string, string>();

    /// <summary>JSON text sent as the group's metadata bytes; empty for none.</summary>
    public string Metadata { get; init; } = "";
}
