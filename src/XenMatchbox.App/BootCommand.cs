using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// One boot, as a sandwich: the Domain parses and validates argv; the shell looks the profile up and
/// downloads; the Domain plans and renders; the shell writes. Every failure ends here, as one line on
/// stderr, a non-zero exit and nothing of this run left behind.
/// </summary>
internal static class BootCommand
{
    public static async Task<int> RunAsync(string[] argv)
    {
        var stderr = Console.Error;
        var files = new RunFiles();
        string? outputFile = null;
        try
        {
            switch (CommandLine.parse(argv).OrFail())
            {
                case CommandLine.Invocation.ShowHelp help:
                    await Console.Out.WriteAsync(help.text);
                    return 0;
                case CommandLine.Invocation.Boot boot:
                    outputFile = boot.Item.Output.ValueOrNull();
                    await BootAsync(boot.Item, files, stderr, CancellationToken.None);
                    return 0;
                default:
                    throw new InvalidOperationException("unknown invocation");
            }
        }
        catch (Exception e)
        {
            var error = e is BootFailure failure ? failure.Error : Errors.BootError.NewUnexpected(e.Message);
            files.RemoveAll();
            LeaveEmpty(outputFile);
            await stderr.WriteLineAsync($"xenmatchbox: {Errors.describe(error)}");
            return Errors.exitCode(error);
        }
    }

    private static async Task BootAsync(CommandLine.Settings settings, RunFiles files, TextWriter log, CancellationToken cancel)
    {
        ResultFile.CheckTargets(settings);
        var tls = TlsMaterial.Load(settings.Server);

        var profile = await MatchboxLookup.SelectProfileAsync(settings.Server, tls, settings.Labels, cancel);
        var httpBase = new Plan.HttpBase(settings.Server.Host, settings.Server.HttpPort);
        var plan = Plan.create(httpBase, settings.OutputDirectory, settings.Labels, settings.ConfigArgs, profile).OrFail();
        Say(settings, log, $"profile {plan.ProfileId} matches {Labels.display(settings.Labels)}");

        using var downloader = new AssetDownloader(tls, files);
        var downloads = new List<(IReadOnlyList<string> Urls, string Path)> { ([plan.Kernel.Value], plan.KernelPath) };
        if (plan.RamdiskPath.ValueOrNull() is { } ramdiskPath)
        {
            downloads.Add((plan.Initrds.Select(u => u.Value).ToList(), ramdiskPath));
        }
        await DownloadAllAsync(downloader, downloads, cancel);

        var result = new Output.BootResult(plan.KernelPath, plan.RamdiskPath, plan.CommandLine);
        var bytes = Output.render(settings.OutputFormat, result).OrFail();
        await ResultFile.WriteAsync(settings, bytes, cancel);
        Say(settings, log, $"kernel {plan.KernelPath}{(plan.RamdiskPath.ValueOrNull() is { } r ? ", ramdisk " + r : "")} ready");
    }

    /// <summary>
    /// Kernel and ramdisk download side by side; the first failure stops the other, and is the one
    /// reported (not the cancellation it caused).
    /// </summary>
    private static async Task DownloadAllAsync(
        AssetDownloader downloader, IEnumerable<(IReadOnlyList<string> Urls, string Path)> downloads, CancellationToken cancel)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var tasks = downloads.Select(async download =>
        {
            try
            {
                await downloader.DownloadAsync(download.Urls, download.Path, stop.Token);
            }
            catch
            {
                await stop.CancelAsync();
                throw;
            }
        }).ToList();
        try
        {
            await Task.WhenAll(tasks);
        }
        catch
        {
            var failures = tasks.Where(t => t.IsFaulted).SelectMany(t => t.Exception!.InnerExceptions).ToList();
            throw failures.OfType<BootFailure>().FirstOrDefault() ?? failures.FirstOrDefault() ?? new OperationCanceledException();
        }
    }

    private static void Say(CommandLine.Settings settings, TextWriter log, string line)
    {
        if (!settings.Quiet)
        {
            log.WriteLine($"xenmatchbox: {line}");
        }
    }

    /// <summary>libxl reads nothing from a failed bootloader, but an empty file is the promise.</summary>
    private static void LeaveEmpty(string? outputFile)
    {
        if (outputFile is null)
        {
            return;
        }
        try
        {
            using var stream = new FileStream(outputFile, FileMode.Open, FileAccess.Write);
            stream.SetLength(0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing was written to it, or it is gone: either way it holds nothing of ours.
        }
    }
}
