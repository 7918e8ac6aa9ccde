namespace XenMatchbox.TestServer;

/// <summary>
/// The faults in force on the HTTP listener, by exact request path (decoded, without the query,
/// e.g. <c>/assets/fcos/kernel</c>). Status and Redirect apply to any path; the body faults need the
/// path to name an asset file and answer 404 otherwise. A fault set with <c>httpsOnly</c> applies
/// to the HTTPS listener alone (e.g. a redirect from https:// to the same path over plain http://).
/// Safe to change while requests run.
/// </summary>
public sealed class AssetFaults
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, (AssetFault Fault, int? Left, bool HttpsOnly)> byPath = new(StringComparer.Ordinal);

    /// <summary>
    /// Makes requests for <paramref name="path"/> misbehave; with <paramref name="times"/>, only the
    /// next that many requests do (then the path answers normally again, e.g. for retry tests); with
    /// <paramref name="httpsOnly"/>, only requests to the HTTPS listener do (the HTTP listener answers
    /// the path normally).
    /// </summary>
    public void Set(string path, AssetFault fault, int? times = null, bool httpsOnly = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(times ?? 1, nameof(times));
        lock (gate)
        {
            byPath[path] = (fault, times, httpsOnly);
        }
    }

    /// <summary>Makes <paramref name="path"/> answer normally again; false if it had no fault.</summary>
    public bool Remove(string path)
    {
        lock (gate)
        {
            return byPath.Remove(path);
        }
    }

    /// <summary>Makes every path answer normally again.</summary>
    public void Clear()
    {
        lock (gate)
        {
            byPath.Clear();
        }
    }

    // The fault this request gets, using up one of its remaining times.
    internal AssetFault? Take(string path, bool https)
    {
        lock (gate)
        {
            if (!byPath.TryGetValue(path, out var entry) || entry.HttpsOnly && !https)
            {
                return null;
            }
            if (entry.Left is { } left)
            {
                if (left <= 1)
                {
                    byPath.Remove(path);
                }
                else
                {
                    byPath[path] = (entry.Fault, left - 1, entry.HttpsOnly);
                }
            }
            return entry.Fault;
        }
    }
}
