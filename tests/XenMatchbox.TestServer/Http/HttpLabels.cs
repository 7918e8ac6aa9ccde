namespace XenMatchbox.TestServer;

/// <summary>
/// The labels an HTTP request selects with (matchbox's labelsFromRequest): each query parameter's
/// first value; a parameter whose name lowercases to <c>mac</c> is replaced by its canonical MAC, or
/// dropped when it does not parse (the request then falls through to less specific groups).
/// Unlike gRPC, where labels are used exactly as sent.
/// </summary>
internal static class HttpLabels
{
    public static Dictionary<string, string> FromQuery(string rawQuery)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, values) in GoQuery.Parse(rawQuery))
        {
            var value = values[0];
            if (!string.Equals(key, "mac", StringComparison.OrdinalIgnoreCase))
            {
                labels[key] = value;
            }
            else if (MacAddress.TryNormalize(value, out var canonical))
            {
                labels[key] = canonical;
            }
        }
        return labels;
    }
}
