using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// Where the rendered result goes: the file libxl pre-created (opened at the start, while still
/// root, never created), or standard output.
/// </summary>
internal sealed class ResultFile : IDisposable
{
    private readonly FileStream? file;
    private readonly string name;

    private ResultFile(FileStream? file, string name)
    {
        this.file = file;
        this.name = name;
    }

    /// <summary>Fails before any network traffic when libxl's file or directory is not there.</summary>
    public static ResultFile Open(CommandLine.Settings settings)
    {
        if (!Directory.Exists(settings.OutputDirectory))
        {
            throw new BootFailure(OutputError.NewOutputDirectoryMissing(settings.OutputDirectory));
        }
        if (settings.Output.ValueOrNull() is not { } path)
        {
            return new ResultFile(null, "standard output");
        }
        // Opened, never created, and never through a symbolic link (O_NOFOLLOW): root writes here.
        var handle = Posix.Open(path, Posix.O_WRONLY | Posix.O_NOFOLLOW, out var errno)
            ?? throw new BootFailure(errno switch
            {
                Posix.ENOENT => OutputError.NewOutputFileMissing(path),
                Posix.ELOOP => OutputError.NewOutputWriteFailed(path, "it is a symbolic link, which is never written through"),
                _ => OutputError.NewOutputWriteFailed(path, Posix.Message(errno)),
            });
        return new ResultFile(new FileStream(handle, FileAccess.Write, 1), path);
    }

    public async Task WriteAsync(byte[] bytes, CancellationToken cancel)
    {
        try
        {
            if (file is null)
            {
                await using var stdout = StandardStreams.OpenOutput();
                await stdout.WriteAsync(bytes, cancel);
                await stdout.FlushAsync(cancel);
                return;
            }
            file.SetLength(0);
            await file.WriteAsync(bytes, cancel);
            file.Flush(flushToDisk: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BootFailure(OutputError.NewOutputWriteFailed(name, e.Message), e);
        }
    }

    /// <summary>libxl reads nothing from a failed bootloader, but an empty file is the promise.</summary>
    public void LeaveEmpty()
    {
        try
        {
            file?.SetLength(0);
        }
        catch (IOException)
        {
            // It holds nothing of ours either way.
        }
    }

    public void Dispose() => file?.Dispose();
}
