using Microsoft.FSharp.Collections;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// A verified boot hashes its cached bytes before libxl sees them (Cache.examine), which costs
/// more than the rest of a cached boot. So, as soon as the lookup's labels are known, the verified
/// entries the last boot by the same labels used (the cache's recent file, Cache.recentKey) are
/// hashed in the background while the boot reads its keys and asks matchbox. A guess, never a
/// decision: the plan names what is used, each entry's pieces are handed over only for the very
/// file hashed and unchanged since (<see cref="PieceDigest.Ahead"/>), and a guess that cannot be
/// made (no recent file, a damaged one, an unreadable entry) is not made and says nothing.
/// </summary>
internal sealed class AheadHashing
{
    private readonly string recentPath;
    private readonly string? recentText;
    private readonly Dictionary<string, PieceDigest.Ahead> hashing = [];

    private AheadHashing(string recentPath, string? recentText)
    {
        this.recentPath = recentPath;
        this.recentText = recentText;
    }

    /// <summary>Starts hashing the verified entries of the labels' recent file in the cache at <paramref name="directory"/>.</summary>
    public static AheadHashing Start(string directory, Labels.Labels labels)
    {
        var recentPath = Path.Combine(directory, Cache.recentKey(Labels.toPairs(labels)) + ".recent");
        string? recentText = null;
        try
        {
            recentText = AssetCache.ReadSmall(recentPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        var ahead = new AheadHashing(recentPath, recentText);
        foreach (var url in recentText is null ? [] : Cache.parseRecent(recentText))
        {
            var key = Cache.key(url);
            try
            {
                if (AssetCache.ReadSmall(Path.Combine(directory, key + ".meta")) is { } meta
                    && Cache.parse(url, meta).ValueOrNull() is { Verified: not null } entry
                    && PieceDigest.Ahead.Start(Path.Combine(directory, key + ".data"), entry.Length) is { } pieces)
                {
                    ahead.hashing.TryAdd(key, pieces);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return ahead;
    }

    /// <summary>The pieces hashed ahead for this entry's file, when they are of the very file now at <paramref name="dataPath"/>, unchanged; else null.</summary>
    public async Task<FSharpList<string>?> ClaimAsync(string key, string dataPath, long length, CancellationToken cancel)
    {
        PieceDigest.Ahead? pieces;
        lock (hashing)
        {
            hashing.Remove(key, out pieces);
        }
        if (pieces is null)
        {
            return null;
        }
        using (pieces)
        {
            return await pieces.ClaimAsync(dataPath, length, cancel);
        }
    }

    /// <summary>The plan is known: the hashing stops for every entry it does not name.</summary>
    public void KeepOnly(IEnumerable<string> urls)
    {
        var planned = urls.Select(Cache.key).ToHashSet();
        List<PieceDigest.Ahead> unneeded;
        lock (hashing)
        {
            unneeded = [.. hashing.Where(pair => !planned.Contains(pair.Key)).Select(pair => pair.Value)];
            foreach (var key in hashing.Keys.Where(key => !planned.Contains(key)).ToList())
            {
                hashing.Remove(key);
            }
        }
        foreach (var pieces in unneeded)
        {
            pieces.Dispose();
        }
    }

    /// <summary>
    /// After the boot: the URLs its plan used become the labels' recent file (when they changed),
    /// for the next boot. Never throws; a cache this boot cannot write keeps the file it has.
    /// </summary>
    public void Remember(IEnumerable<string> urls, bool writable)
    {
        KeepOnly([]);
        var text = Cache.renderRecent(ListModule.OfSeq(urls));
        if (!writable || text == recentText)
        {
            return;
        }
        var temporary = $"{recentPath}.{Environment.ProcessId}.new";
        try
        {
            using (var file = new FileStream(temporary, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = AssetCache.Public }))
            {
                AssetCache.SetPublic(file, temporary);
                file.Write(System.Text.Encoding.UTF8.GetBytes(text));
            }
            File.Move(temporary, recentPath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CacheUnusable)
        {
            try { File.Delete(temporary); }
            catch (Exception again) when (again is IOException or UnauthorizedAccessException) { }
        }
    }
}
