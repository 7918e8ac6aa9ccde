using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// The shared asset cache on disk; its rules are <see cref="Cache"/>'s. Per URL (by its key):
/// <c>KEY.data</c> (the bytes), <c>KEY.meta</c> (the entry: URL, validators, length; its
/// modification time is the last use), <c>KEY.lock</c>, and while a download runs
/// <c>KEY.PID.partial</c>.
/// <para>Every change to a key happens under an exclusive lock on its lock file (.NET's FileShare.None
/// is an advisory flock on Linux): the metadata goes first, the data is renamed in complete and
/// checked against Content-Length, then the new metadata is renamed in. So a boot sees a whole entry
/// or none, a crash leaves at most a partial file that is never an entry, and boots of one asset
/// download it once and the others revalidate it.</para>
/// <para>A restricted (--runas) boot cannot write a cache root made; it uses current entries and
/// stores nothing, so one domain's bootloader can never plant a kernel for another.</para>
/// </summary>
internal sealed class AssetCache
{
    /// <summary>What .NET on Linux reports when the flock behind FileShare.None is held elsewhere (EWOULDBLOCK).</summary>
    private const int SharingViolation = 11;
    private const UnixFileMode Public = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode PublicDirectory = Public | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private readonly string directory;
    private readonly long maxBytes;
    private readonly HashSet<string> used = [];
    private bool stored;

    private AssetCache(string directory, long maxBytes, bool writable)
    {
        this.directory = directory;
        this.maxBytes = maxBytes;
        Writable = writable;
    }

    /// <summary>Whether this process may store entries (false in restricted mode).</summary>
    public bool Writable { get; }

    /// <summary>
    /// The cache for this boot, or null when there is none to use: --no-cache, or a directory that
    /// cannot be made or read (said in a note; the boot then downloads without the cache).
    /// </summary>
    public static AssetCache? Open(Cache.CacheSettings? settings, bool restricted, Action<string> note)
    {
        if (settings is null)
        {
            return null;
        }
        try
        {
            if (restricted)
            {
                return Directory.Exists(settings.Directory) ? new AssetCache(settings.Directory, settings.MaxBytes, writable: false) : null;
            }
            Directory.CreateDirectory(settings.Directory, PublicDirectory);
            return new AssetCache(settings.Directory, settings.MaxBytes, writable: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            note($"cache {settings.Directory} is not usable ({e.Message}); downloading without it");
            return null;
        }
    }

    /// <summary>Waits for the URL's lock (exclusive when writable, shared otherwise) and reads its entry.</summary>
    public async Task<Lease?> AcquireAsync(string url, CancellationToken cancel)
    {
        var key = Cache.key(url);
        var lockPath = Path.Combine(directory, key + ".lock");
        for (var wait = 5; ; wait = Math.Min(wait * 2, 100))
        {
            FileStream handle;
            try
            {
                handle = Writable
                    ? new FileStream(lockPath, new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None, UnixCreateMode = Public })
                    : new FileStream(lockPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            }
            catch (IOException e) when (e.HResult == SharingViolation)
            {
                await Task.Delay(wait, cancel);
                continue;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;   // no entry can be read (or kept) here: download past the cache
            }
            lock (used) used.Add(key);
            return new Lease(this, key, url, handle);
        }
    }

    /// <summary>
    /// After a boot that stored anything: removes least recently used entries (never this boot's)
    /// until the cache fits its size, and partial files no download holds. Never throws.
    /// </summary>
    public void Trim()
    {
        if (!Writable || !stored)
        {
            return;
        }
        try
        {
            var entries = new List<Cache.Stored>();
            foreach (var meta in Directory.EnumerateFiles(directory, "*.meta"))
            {
                var key = Path.GetFileNameWithoutExtension(meta);
                var data = new FileInfo(Path.Combine(directory, key + ".data"));
                entries.Add(new Cache.Stored(key, data.Exists ? data.Length : 0, File.GetLastWriteTimeUtc(meta).Ticks));
            }
            var keep = SetModule.OfSeq(used);
            foreach (var key in Cache.evict(maxBytes, keep, ListModule.OfSeq(entries)))
            {
                Evict(key);
            }
            foreach (var partial in Directory.EnumerateFiles(directory, "*.partial"))
            {
                RemoveIfUnheld(partial);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private void Evict(string key)
    {
        try
        {
            using var _ = new FileStream(Path.Combine(directory, key + ".lock"), FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            File.Delete(Path.Combine(directory, key + ".meta"));
            File.Delete(Path.Combine(directory, key + ".data"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }   // in use: next time
    }

    /// <summary>A writer holds its partial file open exclusively; one nobody holds is a crash's leftover.</summary>
    private static void RemoveIfUnheld(string path)
    {
        try
        {
            using (new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.None)) { }
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>One URL's entry, held under its lock until disposed.</summary>
    internal sealed class Lease : IDisposable
    {
        private readonly AssetCache cache;
        private readonly FileStream lockHandle;
        private readonly string metaPath;
        private string? partialPath;

        internal Lease(AssetCache cache, string key, string url, FileStream lockHandle)
        {
            this.cache = cache;
            this.lockHandle = lockHandle;
            Url = url;
            DataPath = Path.Combine(cache.directory, key + ".data");
            metaPath = Path.Combine(cache.directory, key + ".meta");
            Stored = ReadEntry();
        }

        public string Url { get; }

        /// <summary>The stored bytes, current once revalidated (or just stored).</summary>
        public string DataPath { get; }

        /// <summary>The entry, when one is stored whole (its data file has the recorded length).</summary>
        public Cache.Entry? Stored { get; private set; }

        public bool Writable => cache.Writable;

        private Cache.Entry? ReadEntry()
        {
            try
            {
                var entry = Cache.parse(Url, File.ReadAllText(metaPath)).ValueOrNull();
                return entry is not null && new FileInfo(DataPath) is { Exists: true } data && data.Length == entry.Length ? entry : null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }

        /// <summary>A new partial file for a download, in the cache's directory (so it can be renamed in).</summary>
        public FileStream CreatePartial()
        {
            partialPath = Path.Combine(cache.directory, $"{Path.GetFileNameWithoutExtension(DataPath)}.{Environment.ProcessId}.partial");
            return new FileStream(partialPath, new FileStreamOptions
            {
                Mode = FileMode.Create,
                Access = FileAccess.ReadWrite,
                Share = FileShare.None,
                UnixCreateMode = Public,
                BufferSize = 0,
            });
        }

        /// <summary>The partial file, downloaded whole and closed, becomes the entry.</summary>
        public void Store(Cache.Entry entry)
        {
            var partial = partialPath!;
            if (new FileInfo(partial).Length != entry.Length)
            {
                throw new IOException($"{partial} does not have the {entry.Length} bytes the server declared");
            }
            File.Delete(metaPath);
            File.Move(partial, DataPath, overwrite: true);
            partialPath = null;
            var temporary = metaPath + ".new";
            File.WriteAllText(temporary, Cache.render(entry));
            File.Move(temporary, metaPath, overwrite: true);
            Stored = entry;
            cache.stored = true;
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
            File.Delete(metaPath);
            File.Delete(DataPath);
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
            lockHandle.Dispose();
        }
    }
}
