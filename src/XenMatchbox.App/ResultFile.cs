using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>Where the rendered result goes: the file libxl pre-created, or standard output.</summary>
internal static class ResultFile
{
    /// <summary>Fails before any network traffic when libxl's file or directory is not there.</summary>
    public static void CheckTargets(CommandLine.Settings settings)
    {
        if (!Directory.Exists(settings.OutputDirectory))
        {
            throw new BootFailure(Errors.BootError.NewOutputDirectoryMissing(settings.OutputDirectory));
        }
        if (settings.Output.ValueOrNull() is { } output && !File.Exists(output))
        {
            throw new BootFailure(Errors.BootError.NewOutputFileMissing(output));
        }
    }

    public static async Task WriteAsync(CommandLine.Settings settings, byte[] bytes, CancellationToken cancel)
    {
        var path = settings.Output.ValueOrNull();
        try
        {
            if (path is null)
            {
                await using var stdout = Console.OpenStandardOutput();
                await stdout.WriteAsync(bytes, cancel);
                await stdout.FlushAsync(cancel);
                return;
            }
            // libxl created the file; it is opened, never created, like pygrub does.
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read, 1, useAsync: false);
            file.SetLength(0);
            await file.WriteAsync(bytes, cancel);
            file.Flush(flushToDisk: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BootFailure(Errors.BootError.NewOutputWriteFailed(path ?? "standard output", e.Message), e);
        }
    }
}
