namespace XenMatchbox.TestServer;

/// <summary>matchbox's Select: labels in, the matching group or its profile out.</summary>
internal static class GroupSelection
{
    /// <summary>
    /// The first group, most specific first, whose every selector entry the labels carry with the same
    /// key (case-sensitive) and the same value (byte-equal); extra labels are ignored. Store failures
    /// propagate; no match throws <see cref="NoMatchException"/>.
    /// </summary>
    public static async Task<MatchboxGroup> SelectGroupAsync(
        IMatchboxStore store, IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken)
    {
        var groups = await store.ListGroupsAsync(cancellationToken);
        var readable = groups.Select(SelectorNormalization.Normalize).OfType<MatchboxGroup>();
        return SpecificityOrder.Sort(readable).FirstOrDefault(g => Satisfies(g, labels))
            ?? throw new NoMatchException(MatchboxErrors.NoMatchingGroup);
    }

    /// <summary>
    /// The matched group's profile. matchbox reports any failure to select a group as "No matching
    /// Group" here, and a missing, unreadable or id-less profile as "No matching Profile".
    /// </summary>
    public static async Task<MatchboxProfile> SelectProfileAsync(
        IMatchboxStore store, IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken)
    {
        MatchboxGroup group;
        try
        {
            group = await SelectGroupAsync(store, labels, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new NoMatchException(MatchboxErrors.NoMatchingGroup);
        }

        MatchboxProfile? profile;
        try
        {
            profile = await store.GetProfileAsync(group.Profile, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            profile = null;
        }
        return profile is { Id.Length: > 0 } ? profile : throw new NoMatchException(MatchboxErrors.NoMatchingProfile);
    }

    private static bool Satisfies(MatchboxGroup group, IReadOnlyDictionary<string, string> labels) =>
        group.Selector.All(s => labels.TryGetValue(s.Key, out var value) && string.Equals(value, s.Value, StringComparison.Ordinal));
}
