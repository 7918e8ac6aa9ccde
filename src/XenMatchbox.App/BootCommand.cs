using System.Runtime.InteropServices;
using Microsoft.FSharp.Collections;
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

        var files = OutputFiles.Unrestricted(linkCachedFiles: false);
        ResultFile? result = null;
        int? deadlineSeconds = null;
        try
        {
            switch (CommandLine.parseIn(ReadContext(argv), argv).OrFail())
            {
                case CommandLine.Invocation.ShowHelp help:
                    await StandardStreams.Out.WriteAsync(help.text);
                    return 0;
                case CommandLine.Invocation.Run run:
                    var settings = run.Item;
                    // Only libxl's own directory may get hard links to cached files (see OutputFiles).
                    files = OutputFiles.Unrestricted(linkCachedFiles: settings.Action.IsInstall);
                    deadlineSeconds = settings.Limits.DeadlineSeconds.AsNullable();
                    if (deadlineSeconds is { } seconds)
                    {
                        deadline.CancelAfter(TimeSpan.FromSeconds(seconds));
                    }
                    using (var stop = CancellationTokenSource.CreateLinkedTokenSource(interrupt.Token, deadline.Token))
                    {
                        if (settings.Action.IsInstall)
                        {
                            result = ResultFile.Open(settings);
                        }
                        else if (settings.Action.IsStage)
                        {
                            CreateStageDirectory(settings.OutputDirectory);
                        }
                        // On a thread of its own, so that a read that blocks (a hung file system)
                        // still ends at the deadline or on a signal.
                        var tls = await Task.Run(() => TlsMaterial.Load(settings.Server), stop.Token).WaitAsync(stop.Token);
                        // xenstore needs root: a restricted boot reads it before the drop, in case a label needs it.
                        var identity = settings.Lookup.FromDomain.IsEmpty && !settings.RunAs.IsSome()
                            ? null : await XenstoreIdentity.ReadAsync(settings, stop.Token);
                        files = (settings.Action.IsInstall ? PrepareRestrictedMode(settings) : null) ?? files;
                        await RunAsNetworkUserAsync(settings, result, tls, identity, files, stop.Token);
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
            await StandardStreams.Error.WriteLineAsync($"xenmatchbox: {Errors.describe(error)}");
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

    /// <summary>
    /// The environment and the configuration file, when the Domain says the run needs them (not
    /// for --help). Which file, and what its bytes or a failed read mean, is the Domain's
    /// ConfigFile policy; here only the bytes are read.
    /// </summary>
    private static CommandLine.Context ReadContext(string[] argv)
    {
        var environment = FuncConvert.FromFunc<string, FSharpOption<string>?>(
            name => Environment.GetEnvironmentVariable(name) is { } value ? FSharpOption<string>.Some(value) : FSharpOption<string>.None);
        if (!CommandLine.needsContext(argv))
        {
            return CommandLine.noContext(environment);
        }
        var own = Environment.GetEnvironmentVariables().Keys.OfType<string>().Where(CommandLine.isOwnVariable);
        var (path, named) = CommandLine.configFile(environment, argv);
        var file = ConfigFile.contents(path, named, ReadConfigFile(path)).OrFail();
        return new CommandLine.Context(environment, ListModule.OfSeq(own), file);
    }

    /// <summary>
    /// How reading the file went: its bytes from a regular file (or a character device: /dev/null
    /// is a way to say "no configuration file"), refused past the Domain's cap so that a wrong
    /// --config such as /dev/zero or a FIFO must not hang (see <see cref="BoundedFile"/>).
    /// </summary>
    private static ConfigFile.ReadOutcome ReadConfigFile(string path)
    {
        try
        {
            return ConfigFile.ReadOutcome.NewBytes(BoundedFile.Read(path, ConfigFile.MaxBytes, allowCharacterDevice: true));
        }
        catch (FileNotFoundException)
        {
            return ConfigFile.ReadOutcome.NoSuchFile;
        }
        catch (DirectoryNotFoundException)
        {
            return ConfigFile.ReadOutcome.NoSuchDirectory;
        }
        catch (UnauthorizedAccessException)
        {
            return ConfigFile.ReadOutcome.PermissionDenied;
        }
        catch (FileTooLargeException)
        {
            return ConfigFile.ReadOutcome.TooLarge;
        }
        catch (IOException e)
        {
            return ConfigFile.ReadOutcome.NewFailed(e.Message);
        }
    }

    private static void CreateStageDirectory(string directory)
    {
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BootFailure(Errors.BootError.NewOutputWriteFailed(directory, e.Message));
        }
    }

    private static async Task RunAsNetworkUserAsync(
        CommandLine.Settings settings, ResultFile? result, TlsMaterial tls, XenstoreIdentity? identity, OutputFiles files, CancellationToken cancel)
    {
        var cache = settings.Action.IsDryRun ? null : AssetCache.Open(settings.Cache.ValueOrNull(), settings.RunAs.IsSome(), note => Say(settings, note));
        var progress = settings.Action.IsDryRun ? null : ProgressDisplay.For(settings);
        using var downloader = new AssetDownloader(tls, files, settings.Limits, cache, progress);
        var (labels, via, plan) = await ResolveAsync(settings, tls, identity, downloader.Client, cancel);
        Say(settings, $"profile {plan.ProfileId} matches {Labels.display(labels)}");
        var bytes = Output.render(settings.OutputFormat, new Output.BootResult(plan.KernelPath, plan.RamdiskPath, plan.CommandLine)).OrFail();

        if (settings.Action.IsDryRun)
        {
            var sizes = new List<DryRun.AssetSize> { new("kernel", plan.Kernel, await HeadAsync(downloader, plan.Kernel, cancel)) };
            foreach (var initrd in plan.Initrds)
            {
                sizes.Add(new DryRun.AssetSize("initrd", initrd, await HeadAsync(downloader, initrd, cancel)));
            }
            var report = new DryRun.Report(
                via, labels, plan, ListModule.OfSeq(sizes), settings.Limits.MaxKernelBytes, settings.Limits.MaxRamdiskBytes, settings.OutputFormat, bytes);
            await StandardStreams.Out.WriteAsync(DryRun.render(report));
            await StandardStreams.Out.FlushAsync(cancel);
            // The report is out; the run ends as the boot would.
            DryRun.verdict(report).OrFail();
            return;
        }

        var downloads = new List<Func<CancellationToken, Task>>
        {
            stop => downloader.DownloadAsync([plan.Kernel], plan.KernelPath, "kernel", settings.Limits.MaxKernelBytes, stop),
        };
        if (plan.RamdiskPath.ValueOrNull() is { } ramdiskPath)
        {
            downloads.Add(stop => downloader.DownloadAsync([.. plan.Initrds], ramdiskPath, "ramdisk", settings.Limits.MaxRamdiskBytes, stop));
        }
        await DownloadAllAsync(downloads, cancel);
        cache?.Trim();

        if (settings.Action.IsStage)
        {
            files.Succeeded(plan.RamdiskPath.ValueOrNull() is { } staged ? [plan.KernelPath, staged] : [plan.KernelPath]);
            await StandardStreams.Out.WriteAsync(StanzaFor(plan));
            await StandardStreams.Out.FlushAsync(cancel);
            return;
        }
        await result!.WriteAsync(bytes, cancel);
        files.Succeeded(plan.RamdiskPath.ValueOrNull() is { } used ? [plan.KernelPath, used] : [plan.KernelPath]);
        Say(settings, $"kernel {plan.KernelPath}{(plan.RamdiskPath.ValueOrNull() is { } r ? ", ramdisk " + r : "")} ready");
    }

    /// <summary>What a HEAD for the asset finds; a failure is kept for the report, not thrown.</summary>
    private static async Task<DryRun.Head> HeadAsync(AssetDownloader downloader, Plan.AssetUrl url, CancellationToken cancel)
    {
        try
        {
            return await downloader.SizeAsync(url, cancel) is { } bytes ? DryRun.Head.NewDeclared(bytes) : DryRun.Head.Undeclared;
        }
        catch (BootFailure failure) when (!cancel.IsCancellationRequested)
        {
            return DryRun.Head.NewFailed(failure.Error);
        }
    }

    private static string StanzaFor(Plan.BootPlan plan) =>
        Stanza.render(new Stanza.StanzaInput(plan.KernelPath, plan.RamdiskPath, plan.CommandLine)).OrFail();

    /// <summary>
    /// The labels (with the domain's own, when --lookup asked for them), the profile matching them
    /// (over gRPC with a client certificate, else from /ipxe), and the plan, its args expanded with
    /// the domain's uuid and name too when they use them.
    /// </summary>
    private static async Task<(Labels.Labels Labels, string Via, Plan.BootPlan Plan)> ResolveAsync(
        CommandLine.Settings settings, TlsMaterial tls, XenstoreIdentity? identity, HttpClient http, CancellationToken cancel)
    {
        // The domain's identity, read now if not yet (a restricted boot read it before the drop:
        // it could not now), for the label that needs it.
        async Task<XenstoreIdentity> RequireAsync(string key)
        {
            identity ??= await XenstoreIdentity.ReadAsync(settings, cancel);
            return identity.Identity is null ? throw identity.Unavailable(key) : identity;
        }

        var lookup = settings.Lookup;
        if (!lookup.FromDomain.IsEmpty)
        {
            await RequireAsync(lookup.FromDomain.Head);
        }
        var labels = Labels.complete(lookup, ListModule.OfSeq(identity?.Labels ?? []), identity?.Failure ?? "").OrFail();
        var server = settings.Server;
        Plan.UnvalidatedProfile profile;
        string via;
        if (server.Client.IsSome())
        {
            via = $"gRPC {MatchboxLookup.HostForUrl(server.Host)}:{server.GrpcPort}";
            profile = await MatchboxLookup.SelectProfileAsync(server, tls, labels, settings.Limits, cancel);
        }
        else
        {
            via = $"HTTP http://{MatchboxLookup.HostForUrl(server.Host)}:{server.HttpPort}/ipxe?{Ipxe.query(labels)}";
            profile = await IpxeLookup.SelectProfileAsync(http, server, labels, settings.Limits, cancel);
        }

        var missing = Template.references(profile.Args)
            .FirstOrDefault(key => Labels.DomainKeys.Contains(key) && !Labels.tryFind(key, labels).IsSome());
        var expansion = missing is null ? labels : Labels.extend(labels, ListModule.OfSeq((await RequireAsync(missing)).Labels));
        var httpBase = new Plan.HttpBase(server.Host, server.HttpPort);
        return (labels, via, Plan.create(httpBase, settings.OutputDirectory, expansion, settings.ConfigArgs, profile).OrFail());
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
            StandardStreams.Error.WriteLine($"xenmatchbox: {line}");
        }
    }
}
