namespace XenMatchbox.App;

/// <summary>
/// The files this run created in the output directory. On failure they are removed, so dom0 is
/// never left with half-written kernels; files that were already there are not ours to touch.
/// </summary>
internal sealed class RunFiles
{
    private readonly List<string> created = [];
    private readonly Lock gate = new();

    /// <summary>Creates a new, empty, owner-only file next to <paramref name="finalPath"/>.</summary>
    public FileStream CreateTemporary(string finalPath)
    {
        var directory = Path.GetDirectoryName(finalPath) ?? ".";
        var name = $".{Path.GetFileName(finalPath)}.{Environment.ProcessId}.{Guid.NewGuid():N}.partial";
        var path = Path.Combine(directory, name);
        var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            BufferSize = 0,
        });
        Track(path);
        return stream;
    }

    /// <summary>Moves a complete temporary file to its final name.</summary>
    public void Commit(string temporaryPath, string finalPath)
    {
        Track(finalPath);
        File.Move(temporaryPath, finalPath, overwrite: true);
        lock (gate) created.Remove(temporaryPath);
    }

    private void Track(string path)
    {
        lock (gate) created.Add(path);
    }

    /// <summary>Deletes every file this run created; never throws.</summary>
    public void RemoveAll()
    {
        lock (gate)
        {
            foreach (var path in created)
            {
                try { File.Delete(path); }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
            created.Clear();
        }
    }
}
