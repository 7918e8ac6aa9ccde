namespace XenMatchbox.TestServer;

/// <summary>
/// matchbox normalises a group's selector when it reads the group: the value of every key that
/// lowercases to <c>mac</c> becomes the canonical MAC form (the key keeps its case), and a group whose
/// selector MAC does not parse is unreadable and skipped.
/// </summary>
internal static class SelectorNormalization
{
    public static MatchboxGroup? Normalize(MatchboxGroup group)
    {
        var selector = new Dictionary<string, string>(group.Selector, StringComparer.Ordinal);
        foreach (var (key, value) in group.Selector)
        {
            if (string.Equals(key, "mac", StringComparison.OrdinalIgnoreCase))
            {
                if (!MacAddress.TryNormalize(value, out var canonical))
                {
                    return null;
                }
                selector[key] = canonical;
            }
        }
        return group with { Selector = selector };
    }
}
