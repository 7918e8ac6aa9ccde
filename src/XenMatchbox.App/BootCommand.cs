using System.Runtime.InteropServices;
using Microsoft.FSharp.Core;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// One boot, as a sandwich: the Domain parses and validates argv; the shell opens files, drops
/// privileges, looks the profile up and downloads; the Domain plans and renders; the shell writes.
/// Every failure ends here, as one line on stderr, a documented exit status and nothing of this run
/// left behind: also on SIGTERM (libxl's way to stop a bootloader) and at the deadline.
/// </summary>
internal static class BootCommand
{
    public static async Task<int> RunAsync(string[] argv)
    {
        using var interrupt = new CancellationTokenSource();
        using var deadline = new CancellationTokenSource();
        string? signal = null;
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            signal ??= $"SIG{context.Signal.ToString()[3..]}";
            interrupt.Cancel();
        }
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var hup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop);

        var files = OutputFiles.Unrestricted();
        ResultFile? result = null;
        int? deadlineSeconds = null;
        try
        {
            var environment = FuncConvert.FromFunc<string, FSharpOption<string>?>(
                name => Environment.GetEnvironmentVariable(name) is { } value ? FSharpOption<string>.Some(value) : FSharpOption<string>.None);
            switch (CommandLine.parse(environment, argv).OrFail())
            {
                case CommandLine.Invocation.ShowHelp help:
                    await Console.Out.WriteAsync(help.text);
                    return 0;
                case CommandLine.Invocation.Boot boot:
                    var settings = boot.Item;
                    deadlineSeconds = settings.Limits.DeadlineSeconds.IsSome() ? settings.Limits.DeadlineSeconds!.Value : null;
                    if (deadlineSeconds is { } seconds)
                    {
                        deadline.CancelAfter(TimeSpan.FromSeconds(seconds));
                    }
                    using (var stop = CancellationTokenSource.CreateLinkedTokenSource(interrupt.Token, deadline.Token))
                    {
                        result = ResultFile.Open(settings);
                        var tls = TlsMaterial.Load(settings.Server);
                        files = PrepareRestrictedMode(settings) ?? files;
                        await BootAsNetworkUserAsync(settings, result, tls, files, stop.Token);
                    }
                    return 0;
                default:
                    throw new InvalidOperationException("unknown invocation");
            }
        }
        catch (Exception e)
        {
            // Whatever failed after a signal or the deadline failed because of it.
            var error = interrupt.IsCancellationRequested ? Errors.BootError.NewInterrupted(signal ?? "a signal")
                : deadline.IsCancellationRequested ? Errors.BootError.NewDeadlineExceeded(deadlineSeconds ?? 0)
                : e is BootFailure failure ? failure.Error
                : Errors.BootError.NewUnexpected(e.Message);
            files.RemoveAll();
            result?.LeaveEmpty();
            await Console.Error.WriteLineAsync($"xenmatchbox: {Errors.describe(error)}");
            return Errors.exitCode(error);
        }
        finally
        {
            result?.Dispose();
            files.Dispose();
        }
    }

    /// <summary>
    /// Everything root-only happens first: the result file and the TLS keys (opened and read above),
    /// then the kernel and ramdisk files in libxl's root-only directory. Then the drop, before any
    /// byte is sent to or read from the network. Null when libxl did not ask for restricted mode.
    /// </summary>
    private static OutputFiles? PrepareRestrictedMode(CommandLine.Settings settings)
    {
        if (!settings.RunAs.IsSome())
        {
            return null;
        }
        var files = OutputFiles.Restricted(settings.OutputDirectory, ["kernel", "ramdisk"]);
        try
        {
            Privileges.DropTo(settings.RunAs!.Value);
        }
        catch
        {
            files.RemoveAll();
            files.Dispose();
            throw;
        }
        return files;
    }

    private static async Task BootAsNetworkUserAsync(
        CommandLine.Settings settings, ResultFile result, TlsMaterial tls, OutputFiles files, CancellationToken cancel)
    {
        var profile = await MatchboxLookup.SelectProfileAsync(settings.Server, tls, settings.Labels, settings.Limits, cancel);
        var httpBase = new Plan.HttpBase(settings.Server.Host, settings.Server.HttpPort);
        var plan = Plan.create(httpBase, settings.OutputDirectory, settings.Labels, settings.ConfigArgs, profile).OrFail();
        Say(settings, $"profile {plan.ProfileId} matches {Labels.display(settings.Labels)}");

        var cache = AssetCache.Open(settings.Cache.ValueOrNull(), settings.RunAs.IsSome(), note => Say(settings, note));
        using (var downloader = new AssetDownloader(tls, files, settings.Limits, cache))
        {
            var downloads = new List<Func<CancellationToken, Task>>
            {
                stop => downloader.DownloadAsync([plan.Kernel], plan.KernelPath, "kernel", settings.Limits.MaxKernelBytes, stop),
            };
            if (plan.RamdiskPath.ValueOrNull() is { } ramdiskPath)
            {
                downloads.Add(stop => downloader.DownloadAsync([.. plan.Initrds], ramdiskPath, "ramdisk", settings.Limits.MaxRamdiskBytes, stop));
            }
            await DownloadAllAsync(downloads, cancel);
        }
        cache?.Trim();

        var bytes = Output.render(settings.OutputFormat, new Output.BootResult(plan.KernelPath, plan.RamdiskPath, plan.CommandLine)).OrFail();
        await result.WriteAsync(bytes, cancel);
        files.Succeeded(plan.RamdiskPath.ValueOrNull() is { } used ? [plan.KernelPath, used] : [plan.KernelPath]);
        Say(settings, $"kernel {plan.KernelPath}{(plan.RamdiskPath.ValueOrNull() is { } r ? ", ramdisk " + r : "")} ready");
    }

    /// <summary>
    /// Kernel and ramdisk download side by side; the first failure stops the other, and is the one
    /// reported (not the cancellation it caused).
    /// </summary>
    private static async Task DownloadAllAsync(IEnumerable<Func<CancellationToken, Task>> downloads, CancellationToken cancel)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var tasks = downloads.Select(async download =>
        {
            try
            {
                await download(stop.Token);
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

    private static void Say(CommandLine.Settings settings, string line)
    {
        if (!settings.Quiet)
        {
            Console.Error.WriteLine($"xenmatchbox: {line}");
        }
    }
}
