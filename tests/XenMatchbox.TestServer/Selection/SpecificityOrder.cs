namespace XenMatchbox.TestServer;

/// <summary>
/// The order matchbox tries groups in: most selector entries first; among equally many, the group
/// whose sorted, comma-joined "k=v" pairs compare greater (byte-wise) first. matchbox leaves groups
/// with identical selectors in no defined order; here they keep the store's order.
/// </summary>
internal static class SpecificityOrder
{
    public static IEnumerable<MatchboxGroup> Sort(IEnumerable<MatchboxGroup> groups) =>
        groups
            .OrderByDescending(g => g.Selector.Count)
            .ThenByDescending(SelectorString, Utf8Ordinal.Comparer);

    private static string SelectorString(MatchboxGroup group) =>
        string.Join(',', group.Selector.Select(p => $"{p.Key}={p.Value}").Order(Utf8Ordinal.Comparer));
}
