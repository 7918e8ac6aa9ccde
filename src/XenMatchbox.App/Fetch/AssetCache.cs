using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// The shared asset cache on disk; its rules are <see cref="Cache"/>'s. Per URL (by its key):
/// <c>KEY.data</c> (the bytes), <c>KEY.meta</c> (the entry: URL, validators, length; its
/// modification time is the last use), <c>KEY.lock</c>, and while a download runs
/// <c>KEY.PID.partial</c>; per lookup's labels, <c>RECENT.recent</c> (Cache.recentKey), the URLs
/// its last verified boot used, whose bytes the next one hashes while it waits for matchbox.
/// <para>Every change to a key happens under an exclusive lock on its lock file (.NET's FileShare.None
/// is an advisory flock on Linux): the metadata goes first, the data is renamed in complete and
/// checked against Content-Length, then the new metadata is renamed in. So a boot sees a whole entry
/// or none, a crash leaves at most a partial file that is never an entry, and boots of one asset
/// download it once and the others revalidate it.</para>
/// <para>A restricted (--runas) boot cannot write a cache root made; it uses current entries and
/// stores nothing, so one domain's bootloader can never plant a kernel for another.</para>
/// <para>Files are 0644 and the directory 0755 whatever the umask (a restricted boot must read
/// them). Trouble with the cache (an entry that is a directory or unreadable, a full or failing
/// disk) throws <see cref="CacheUnusable"/>; the downloader then says one line and goes on
/// without the cache for the rest of the boot.</para>
/// </summary>
internal sealed class AssetCache
{
    /// <summary>What .NET on Linux reports when the flock behind FileShare.None is held elsewhere (EWOULDBLOCK).</summary>
    private const int SharingViolation = 11;
    internal const UnixFileMode Public = (UnixFileMode)Cache.FileMode;
    private const UnixFileMode PublicDirectory = (UnixFileMode)Cache.DirectoryMode;

    private readonly string directory;

    /// <summary>The cache's directory (the <c>--cache-dir</c>).</summary>
    internal string Root => directory;
    private readonly long maxBytes;
    private readonly Action<string> note;
    private readonly HashSet<string> used = [];
    private bool stored;
    private volatile bool usable = true;

    private AssetCache(string directory, long maxBytes, bool writable, Action<string> note)
    {
        this.directory = directory;
        this.maxBytes = maxBytes;
        this.note = note;
        Writable = writable;
    }

    /// <summary>Whether this process may store entries (false in restricted mode).</summary>
    public bool Writable { get; }

    /// <summary>A lease stored an entry: the cache is trimmed at the end of the boot.</summary>
    internal void MarkStored() => stored = true;

    /// <summary>False once the cache failed this boot: the rest of it downloads without the cache.</summary>
    public bool Usable => usable;

    /// <summary>Says one line about the cache (not under --quiet), as the Domain words it.</summary>
    public void Say(string line) => note(line);

    /// <summary>How this boot may use the cache.</summary>
    public Cache.Access Access => Writable ? Cache.Access.ReadWrite : Cache.Access.ReadOnly;

    /// <summary>The cache failed: said once, in one line (Cache.unusableNote), and not used again in this boot.</summary>
    public void GiveUp(string line)
    {
        lock (used)
        {
            if (!usable)
            {
                return;
            }
            usable = false;
        }
        note(line);
    }

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
            var exists = Directory.Exists(settings.Directory);
            var access = Cache.access(restricted, exists).ValueOrNull();
            if (access is { IsReadWrite: true } && !exists)
            {
                Directory.CreateDirectory(settings.Directory, PublicDirectory);
                File.SetUnixFileMode(settings.Directory, PublicDirectory);   // whatever the umask
            }
            return access is null ? null : new AssetCache(settings.Directory, settings.MaxBytes, writable: access.IsReadWrite, note);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            note($"cache {settings.Directory} is not usable ({e.Message}); downloading without it");
            return null;
        }
    }

    /// <summary>
    /// Verified entries being hashed ahead (see <see cref="AheadHashing"/>), when the boot started
    /// that; their pieces are taken by <see cref="PiecesAsync"/>.
    /// </summary>
    public AheadHashing? Ahead { get; set; }

    /// <summary>
    /// The pieces of the lease's stored bytes: those hashed ahead when they are of this very file,
    /// unchanged, else hashed now on every core.
    /// </summary>
    internal async Task<FSharpList<string>> PiecesAsync(CacheLease lease, long length, CancellationToken cancel) =>
        (Ahead is { } ahead ? await ahead.ClaimAsync(lease.Key, lease.DataPath, length, cancel) : null)
        ?? await PieceDigest.OfFileAsync(lease.DataPath, length, cancel);

    /// <summary>A small file's text (a recent file, an entry's metadata); null when it is missing or larger than any this cache writes.</summary>
    internal static string? ReadSmall(string path)
    {
        try
        {
            using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var length = RandomAccess.GetLength(file);
            if (length > Limits.MaxCacheFileBytes)
            {
                return null;
            }
            var bytes = new byte[length];
            return RandomAccess.Read(file, bytes, 0) == length ? System.Text.Encoding.UTF8.GetString(bytes) : null;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }


    /// <summary>
    /// Waits for the URL's lock (exclusive when writable, shared otherwise) and reads its entry;
    /// <paramref name="url"/> is the URL as shown (without credentials), which names the entry.
    /// </summary>
    public async Task<CacheLease> AcquireAsync(string url, CancellationToken cancel)
    {
        var key = Cache.key(url);
        var lockPath = Path.Combine(directory, key + ".lock");
        for (var tries = 1; ; tries++)
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
                await Task.Delay(Cache.lockBackoffMilliseconds(tries), cancel);
                continue;
            }
            catch (FileNotFoundException) when (!Writable)
            {
                return new CacheLease(this, key, url, null);   // no boot ever stored this URL
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CacheUnusable($"cannot lock {lockPath} ({e.Message})", e);
            }
            if (Writable)
            {
                SetPublic(handle, lockPath);
            }
            lock (used) used.Add(key);
            try
            {
                return new CacheLease(this, key, url, handle);
            }
            catch
            {
                handle.Dispose();
                throw;
            }
        }
    }

    /// <summary>
    /// After a boot that stored anything: removes least recently used entries (never this boot's)
    /// until the cache fits its size, partial files no download holds, and recent files that name no
    /// entry left. Never throws.
    /// </summary>
    public void Trim()
    {
        if (!Cache.trimDue(Access, stored))
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
            var stored = SetModule.OfSeq(Directory.EnumerateFiles(directory, "*.meta").Select(Path.GetFileNameWithoutExtension).OfType<string>());
            foreach (var recent in Directory.EnumerateFiles(directory, "*.recent"))
            {
                if (Cache.recentStale(Cache.parseRecent(ReadSmall(recent) ?? ""), stored))
                {
                    File.Delete(recent);
                }
            }
            foreach (var partial in Directory.EnumerateFiles(directory, "*.partial"))
            {
                RemoveIfUnheld(partial);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>Gives a file this cache created its promised mode, whatever the umask made it.</summary>
    internal static void SetPublic(FileStream file, string path)
    {
        try
        {
            File.SetUnixFileMode(file.SafeFileHandle, Public);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CacheUnusable($"cannot set the mode of {path} ({e.Message})", e);
        }
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
}

/// <summary>The cache cannot be used for this asset (or at all): the boot goes on without it.</summary>
internal sealed class CacheUnusable(string message, Exception? inner = null) : Exception(message, inner);
