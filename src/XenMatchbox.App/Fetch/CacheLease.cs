using Microsoft.FSharp.Core;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>One URL's entry, held under its lock until disposed.</summary>
internal sealed class CacheLease : IDisposable
{
    private readonly AssetCache cache;
    private readonly FileStream? lockHandle;
    private readonly string metaPath;
    private string? partialPath;

    internal CacheLease(AssetCache cache, string key, string url, FileStream? lockHandle)
    {
        this.cache = cache;
        this.lockHandle = lockHandle;
        Url = url;
        Key = key;
        DataPath = Path.Combine(cache.Root, key + ".data");
        metaPath = Path.Combine(cache.Root, key + ".meta");
        Stored = ReadEntry();
    }

    public string Url { get; }

    /// <summary>The entry's file-name stem (Cache.key of the URL).</summary>
    public string Key { get; }

    /// <summary>The stored bytes, current once revalidated (or just stored).</summary>
    public string DataPath { get; }

    /// <summary>The entry, when one is stored whole (its data file has the recorded length).</summary>
    public Cache.Entry? Stored { get; private set; }

    public bool Writable => cache.Writable;

    /// <summary>
    /// The entry when its metadata and data are there and agree; null when there is none. A
    /// metadata or data path that is there but is no regular file, or cannot be read by this
    /// process (a restricted boot, an entry made under a restrictive umask), is CacheUnusable.
    /// </summary>
    private Cache.Entry? ReadEntry()
    {
        if (!Path.Exists(metaPath))
        {
            return null;
        }
        try
        {
            RequireRegularFile(metaPath);
            var entry = Cache.parse(Url, File.ReadAllText(metaPath)).ValueOrNull();
            if (entry is null || !Path.Exists(DataPath))
            {
                return null;
            }
            RequireRegularFile(DataPath);
            using var data = File.OpenHandle(DataPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return Cache.holds(entry, RandomAccess.GetLength(data)) ? entry : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CacheUnusable($"its entry for {Url} cannot be read ({e.Message})", e);
        }
    }

    private static void RequireRegularFile(string path)
    {
        if ((File.GetAttributes(path) & (FileAttributes.Directory | FileAttributes.ReparsePoint | FileAttributes.Device)) != 0)
        {
            throw new IOException($"{path} is not a regular file");
        }
    }

    /// <summary>A new partial file for a download, in the cache's directory (so it can be renamed in).</summary>
    public FileStream CreatePartial()
    {
        var path = Path.Combine(cache.Root, $"{Path.GetFileNameWithoutExtension(DataPath)}.{Environment.ProcessId}.partial");
        try
        {
            // Created fresh (O_EXCL): a leftover of the same name, whatever it is, goes first.
            File.Delete(path);
            var stream = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.ReadWrite,
                Share = FileShare.None,
                UnixCreateMode = AssetCache.Public,
                BufferSize = 0,
            });
            partialPath = path;
            AssetCache.SetPublic(stream, path);
            return stream;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CacheUnusable($"cannot create {path} ({e.Message})", e);
        }
    }

    /// <summary>The partial file, downloaded whole and closed, becomes the entry.</summary>
    public void Store(Cache.Entry entry)
    {
        var partial = partialPath!;
        if (!Cache.holds(entry, new FileInfo(partial).Length))
        {
            throw new IOException($"{partial} does not have the {entry.Length} bytes the server declared");
        }
        var temporary = $"{metaPath}.{Environment.ProcessId}.new";
        try
        {
            File.Delete(metaPath);
            File.Move(partial, DataPath, overwrite: true);
            partialPath = null;
            File.Delete(temporary);
            using (var meta = new FileStream(temporary, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = AssetCache.Public }))
            {
                AssetCache.SetPublic(meta, temporary);
                meta.Write(System.Text.Encoding.UTF8.GetBytes(Cache.render(entry)));
            }
            File.Move(temporary, metaPath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temporary); }
            catch (Exception again) when (again is IOException or UnauthorizedAccessException) { }
            throw new CacheUnusable($"cannot store {DataPath} ({e.Message})", e);
        }
        Stored = entry;
        cache.MarkStored();
    }

    /// <summary>The stored entry was used: it becomes the most recently used.</summary>
    public void Touch()
    {
        if (!cache.Writable)
        {
            return;
        }
        try
        {
            File.SetLastWriteTimeUtc(metaPath, DateTime.UtcNow);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>The server no longer allows caching this URL: its old entry goes.</summary>
    public void Forget()
    {
        if (Stored is null || !cache.Writable)
        {
            return;
        }
        try
        {
            File.Delete(metaPath);
            File.Delete(DataPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }   // a miss next time all the same
        Stored = null;
    }

    /// <summary>The partial file of a download that is used once and not stored (null when none).</summary>
    public string? PartialPath => partialPath;

    public void Dispose()
    {
        if (partialPath is not null)
        {
            try { File.Delete(partialPath); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        lockHandle?.Dispose();
    }
}
