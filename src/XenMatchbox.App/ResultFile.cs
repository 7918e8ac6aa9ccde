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
            throw new BootFailure(Errors.BootError.NewOutputDirectoryMissing(settings.OutputDirectory));
        }
        if (settings.Output.ValueOrNull() is not { } path)
        {
            return new ResultFile(null, "standard output");
        }
        try
        {
            return new ResultFile(new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read, 1), path);
        }
        catch (FileNotFoundException)
        {
            throw new BootFailure(Errors.BootError.NewOutputFileMissing(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BootFailure(Errors.BootError.NewOutputWriteFailed(path, e.Message), e);
        }
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
            throw new BootFailure(Errors.BootError.NewOutputWriteFailed(name, e.Message), e);
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
