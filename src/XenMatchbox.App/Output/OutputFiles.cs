using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// The kernel and ramdisk files this run writes into libxl's output directory, and their removal
/// when the run fails, so dom0 is never left with half-written files.
/// <para>Unrestricted, each file is written under a fresh temporary name (O_CREAT|O_EXCL, so never
/// through a planted link) and renamed over the final name when complete; on failure this process
/// deletes what it created.</para>
/// <para>Restricted (--runas), the directory is root's with mode 0600, so the files are created
/// while still root (whatever stands at their names, a planted link included, removed first and the
/// files made with O_CREAT|O_EXCL) and written in place after the privilege drop; a root janitor process, started
/// before the drop, deletes them unless told the run succeeded, even if this process is killed.</para>
/// </summary>
internal sealed class OutputFiles : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly Lock gate = new();
    private readonly List<string> created = [];
    private readonly Dictionary<string, FileStream> precreated = [];
    private readonly Janitor? janitor;

    private readonly bool linkCachedFiles;

    private OutputFiles(Janitor? janitor, bool linkCachedFiles)
    {
        this.janitor = janitor;
        this.linkCachedFiles = linkCachedFiles;
    }

    /// <summary>
    /// Files written by this process as it runs. <paramref name="linkCachedFiles"/>: a cached asset
    /// may be hard-linked in, which only libxl's output directory allows (libxl reads the files and
    /// unlinks them; nothing writes to them). Anywhere else (stage's directory) an edit of the file
    /// would change the cache, so it gets a copy (or a reflink, which is copy-on-write).
    /// </summary>
    public static OutputFiles Unrestricted(bool linkCachedFiles) => new(null, linkCachedFiles);

    /// <summary>Creates the final files now (while root) and starts the janitor that removes them on failure.</summary>
    public static OutputFiles Restricted(string directory, IReadOnlyList<string> names)
    {
        var files = new OutputFiles(Janitor.Start(directory, names), linkCachedFiles: false);
        foreach (var name in names)
        {
            var path = Path.Combine(directory, name);
            // Never opened through whatever is there (a link to a file of root's): removed, then
            // created fresh; a link planted again in between makes the creation fail.
            try
            {
                File.Delete(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new BootFailure(DownloadError.NewAssetWriteFailed(path, e.Message), e);
            }
            files.precreated[path] = Create(path, FileMode.CreateNew);
        }
        return files;
    }

    /// <summary>The stream to write <paramref name="finalPath"/> through.</summary>
    public FileStream Open(string finalPath)
    {
        if (janitor is not null)
        {
            return precreated.Remove(finalPath, out var stream)
                ? stream
                : throw new InvalidOperationException($"{finalPath} was not created before the privilege drop");
        }
        var path = TemporaryName(finalPath);
        var created = Create(path, FileMode.CreateNew);
        Track(path);
        return created;
    }

    /// <summary>
    /// Gives <paramref name="finalPath"/> the bytes of the complete file at <paramref name="source"/>
    /// (a cache entry): a hard link where the directory allows one, else a reflink or a copy.
    /// </summary>
    public void Place(string source, string finalPath)
    {
        if (janitor is null && linkCachedFiles)
        {
            var linked = TemporaryName(finalPath);
            if (FileCopy.TryHardLink(source, linked))
            {
                Track(linked);
                Complete(linked, finalPath);
                return;
            }
        }
        string writtenPath;
        using (var output = Open(finalPath))
        {
            writtenPath = output.Name;
            AppendFile(source, output, 0, finalPath, _ => { });
        }
        Complete(writtenPath, finalPath);
    }

    /// <summary>
    /// Appends the whole file at <paramref name="source"/> to <paramref name="output"/> at
    /// <paramref name="offset"/> (writing <paramref name="finalPath"/>), after checking its length
    /// (<paramref name="checkEnd"/> gets the end offset) and the free space; returns the new end.
    /// </summary>
    public static long AppendFile(string source, FileStream output, long offset, string finalPath, Action<long> checkEnd)
    {
        Microsoft.Win32.SafeHandles.SafeFileHandle input;
        try
        {
            input = File.OpenHandle(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CacheUnusable($"cannot read {source} ({e.Message})", e);   // the source is always the cache's
        }
        using var _ = input;
        var length = RandomAccess.GetLength(input);
        checkEnd(offset + length);
        DiskSpace.EnsureRoom(finalPath, length);
        try
        {
            var end = offset + FileCopy.Append(input, output.SafeFileHandle, offset);
            output.Position = end;
            return end;
        }
        catch (IOException e)
        {
            throw DiskSpace.WriteFailure(finalPath, e);
        }
    }

    /// <summary>Puts a completely written (and closed) file in its final place.</summary>
    public void Complete(string writtenPath, string finalPath)
    {
        if (janitor is not null)
        {
            return;
        }
        Track(finalPath);
        File.Move(writtenPath, finalPath, overwrite: true);
        // rename(2) does nothing when both names are links to one file (a cached asset placed again
        // where it already is): the temporary name is then still there.
        File.Delete(writtenPath);
        lock (gate) created.Remove(writtenPath);
    }

    /// <summary>The run succeeded: keep <paramref name="used"/>, remove anything else this run created.</summary>
    public void Succeeded(IEnumerable<string> used)
    {
        if (janitor is null)
        {
            return;
        }
        foreach (var stream in precreated.Values)
        {
            stream.Dispose();
        }
        janitor.Keep(used.Select(Path.GetFileName).OfType<string>());
    }

    /// <summary>The run failed: remove every file it created. Never throws.</summary>
    public void RemoveAll()
    {
        if (janitor is not null)
        {
            foreach (var stream in precreated.Values)
            {
                stream.Dispose();
            }
            janitor.RemoveAll();
            return;
        }
        lock (gate)
        {
            foreach (var path in created)
            {
                try { File.Delete(path); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            }
            created.Clear();
        }
    }

    /// <summary>Creates a directory to write into (stage's --dir), with its parents.</summary>
    public static void CreateDirectory(string directory)
    {
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BootFailure(OutputError.NewOutputWriteFailed(directory, e.Message));
        }
    }

    private static string TemporaryName(string finalPath) =>
        Path.Combine(Path.GetDirectoryName(finalPath) ?? ".", $".{Path.GetFileName(finalPath)}.{Environment.ProcessId}.{Guid.NewGuid():N}.partial");

    private static FileStream Create(string path, FileMode mode)
    {
        try
        {
            return new FileStream(path, new FileStreamOptions
            {
                Mode = mode,
                Access = FileAccess.Write,
                Share = FileShare.None,
                UnixCreateMode = OwnerOnly,
                BufferSize = 0,
            });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BootFailure(DownloadError.NewAssetWriteFailed(path, e.Message), e);
        }
    }

    private void Track(string path)
    {
        lock (gate) created.Add(path);
    }

    public void Dispose()
    {
        foreach (var stream in precreated.Values)
        {
            stream.Dispose();
        }
        janitor?.Dispose();
    }
}
