using System.Collections.Concurrent;

namespace XenMatchbox.TestServer;

/// <summary>
/// What the server was asked and what it sent, per request path: HTTP paths as requested (decoded,
/// without the query, e.g. <c>/assets/kernel</c>) and gRPC methods by their full path
/// (<c>/rpcpb.Select/SelectProfile</c>). Body bytes are counted for HTTP only, as they are handed to
/// the connection, so a stalled download shows what it has sent so far.
/// </summary>
public sealed class RequestCounters
{
    private readonly ConcurrentDictionary<string, PathCounter> paths = new(StringComparer.Ordinal);

    /// <summary>How many requests arrived for that path.</summary>
    public long Requests(string path) => paths.TryGetValue(path, out var c) ? Interlocked.Read(ref c.Requests) : 0;

    /// <summary>How many response body bytes were written for that path (HTTP only).</summary>
    public long BodyBytes(string path) => paths.TryGetValue(path, out var c) ? Interlocked.Read(ref c.BodyBytes) : 0;

    /// <summary>How many requests arrived on any path.</summary>
    public long TotalRequests => paths.Values.Sum(c => Interlocked.Read(ref c.Requests));

    /// <summary>A copy of every path's counts at this moment.</summary>
    public IReadOnlyDictionary<string, PathCounts> Snapshot() =>
        paths.ToDictionary(
            p => p.Key,
            p => new PathCounts(Interlocked.Read(ref p.Value.Requests), Interlocked.Read(ref p.Value.BodyBytes)),
            StringComparer.Ordinal);

    /// <summary>Forgets every count.</summary>
    public void Reset() => paths.Clear();

    internal PathCounter Begin(string path)
    {
        var counter = paths.GetOrAdd(path, _ => new PathCounter());
        Interlocked.Increment(ref counter.Requests);
        return counter;
    }

    internal sealed class PathCounter
    {
        public long Requests;
        public long BodyBytes;

        public void AddBodyBytes(long count) => Interlocked.Add(ref BodyBytes, count);
    }
}

/// <summary>One path's counts.</summary>
/// <param name="Requests">Requests that arrived.</param>
/// <param name="BodyBytes">Response body bytes written (HTTP only).</param>
public readonly record struct PathCounts(long Requests, long BodyBytes);
