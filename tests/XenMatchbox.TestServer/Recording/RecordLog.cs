namespace XenMatchbox.TestServer;

/// <summary>
/// An append-only list that request threads add to while tests read it. Readers get a copy, so a
/// test can enumerate it while connections keep arriving.
/// </summary>
internal sealed class RecordLog<T>
{
    private readonly Lock gate = new();
    private readonly List<T> items = [];

    public void Add(T item)
    {
        lock (gate)
        {
            items.Add(item);
        }
    }

    /// <summary>Every item so far, in the order added.</summary>
    public IReadOnlyList<T> Snapshot()
    {
        lock (gate)
        {
            return [.. items];
        }
    }
}
