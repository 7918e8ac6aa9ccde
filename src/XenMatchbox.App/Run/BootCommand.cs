using Microsoft.FSharp.Collections;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// One run, as the sandwich the design card draws: the Domain parses argv (with the environment and
/// the configuration file); the Domain says what to prepare as root; the shell prepares, looks the
/// profile up and asks the Domain for the run's plan; the shell carries out the plan's work; the
/// Domain has rendered what the plan's ending writes; the shell writes it. A boot, show and stage
/// differ only in their plans (Boot.create). Every failure ends in <see cref="RunGuard"/>.
/// </summary>
internal static class BootCommand
{
    public static Task<int> RunAsync(string[] argv) => RunGuard.RunAsync(async guard =>
    {
        // Read: libvirt's <bootloader_args> arrives as one argument, split here as a shell would.
        argv = Argv.expand(argv).OrFail();
        var context = ConfigurationSource.Read(argv);
        var invocation = CommandLine.parseIn(context, argv).OrFail();
        if (invocation is CommandLine.Invocation.ShowHelp help)
        {
            await StandardStreams.Out.WriteAsync(help.text);
            return 0;
        }
        if (invocation.IsShowVersion)
        {
            await StandardStreams.Out.WriteAsync(Release.line(ThisBuild.Release) + "\n");
            return 0;
        }
        if (invocation is CommandLine.Invocation.Check check)
        {
            return await CheckCommand.RunAsync(guard, check.Item1, check.rootFiles, context.ConfigFile.ValueOrNull()?.Item1);
        }
        var settings = ((CommandLine.Invocation.Run)invocation).Item;
        Say(settings, Release.bootLine(ThisBuild.Release));
        guard.StartDeadline(settings.Limits.DeadlineSeconds.AsNullable());
        var cancel = guard.Token;

        // As root, before the network: what the Domain says must happen first.
        var prepared = Boot.prepare(settings, !Console.IsOutputRedirected);
        guard.Files = OutputFiles.Unrestricted(prepared.LinkCachedFiles);
        guard.Result = prepared.OpenResultFile ? ResultFile.Open(settings) : null;
        if (prepared.CreateDirectory.ValueOrNull() is { } directory)
        {
            OutputFiles.CreateDirectory(directory);
        }
        // A verified boot hashes its cached bytes before use: when the labels are already known,
        // those the last boot by them used are hashed from now on, beside the reading of the keys
        // and the lookup (AheadHashing; otherwise once the lookup has its labels).
        var verifying = !prepared.AssetKeys.IsEmpty && prepared.Cache.ValueOrNull() is not null;
        AheadHashing? ahead = verifying && prepared.Cache.ValueOrNull() is { } cacheAt && settings.Lookup.FromDomain.IsEmpty
            && Labels.complete(settings.Lookup, [], "") is { IsOk: true } given
            ? AheadHashing.Start(cacheAt.Directory, given.ResultValue)
            : null;

        // On a thread of its own, so that a read that blocks (a hung file system) still ends at
        // the deadline or on a signal.
        var tls = await Task.Run(() => TlsMaterial.Load(settings.Server), cancel).WaitAsync(cancel);
        if (Check.bootWarning(DateTimeOffset.UtcNow, ListModule.OfSeq(tls.Described(settings.Server))).ValueOrNull() is { } warning)
        {
            Say(settings, warning);
        }
        var keys = await Task.Run(() => TrustKeys.Load(prepared), cancel).WaitAsync(cancel);
        var identity = prepared.Identity.IsBeforeLookup ? await XenstoreIdentity.ReadAsync(settings, cancel) : null;
        if (prepared.DropTo.ValueOrNull() is { } drop)
        {
            guard.Files = RestrictedMode.Enter(settings.OutputDirectory, drop.Item1, drop.Item2);
        }

        // Look up, and plan.
        var cache = AssetCache.Open(prepared.Cache.ValueOrNull(), !prepared.CacheWritable, line => Say(settings, line));
        if (cache is not null)
        {
            cache.Ahead = ahead;
        }
        var progress = ProgressDisplay.For(prepared.Progress);
        using var downloader = new AssetDownloader(
            tls, guard.Files, settings.Limits, Transfer.redirectRule(settings.Server.WebSsl), cache, progress, keys.Assets);
        var (found, run) = await PlanWork.LookUpAndPlanAsync(
            settings, tls, keys, identity, downloader, guard.MillisecondsLeft, line => Say(settings, line),
            // Verified cached bytes are hashed before use: those the last boot by these labels
            // used are hashed while matchbox is asked.
            verifying && cache is { Ahead: null } ? labels => cache.Ahead = AheadHashing.Start(cache.Root, labels) : null, cancel);
        Say(settings, Progress.verified(Boot.foundLine(run), found.Signer is { } signer ? [signer] : []));

        // Carry out the work, then write what the plan says.
        switch (run.Work)
        {
            case Boot.Work.Install install:
                await FetchAsync(downloader, cache, install.downloads, cancel);
                await guard.Result!.WriteAsync(install.result, cancel);
                guard.Files.Succeeded(install.keep);
                break;
            case Boot.Work.Stage stage:
                await FetchAsync(downloader, cache, stage.downloads, cancel);
                await WriteOutAsync(stage.stanza, cancel);
                guard.Files.Succeeded(stage.keep);
                break;
            case Boot.Work.Show show:
                var report = await PlanWork.ReportAsync(downloader, settings, run, found, show.probes, cancel);
                await WriteOutAsync(DryRun.print(show.format, report), cancel);
                // The report is out; the run ends as the boot would.
                DryRun.verdict(report).OrFail();
                return 0;
        }
        if (Boot.readyLine(run).ValueOrNull() is { } ready)
        {
            Say(settings, ready);
        }
        return 0;
    });

    /// <summary>The downloads, through the cache (its hashing ahead told what the plan names, and remembering it after), trimmed after.</summary>
    private static async Task FetchAsync(AssetDownloader downloader, AssetCache? cache, FSharpList<Boot.Download> downloads, CancellationToken cancel)
    {
        cache?.Ahead?.KeepOnly(Boot.plannedUrls(downloads));
        await PlanWork.FetchAsync(downloader, downloads, cancel);
        cache?.Ahead?.Remember(Boot.recentUrls(downloads), cache is { Writable: true, Usable: true });
        cache?.Trim();
    }

    private static async Task WriteOutAsync(string text, CancellationToken cancel)
    {
        await StandardStreams.Out.WriteAsync(text);
        await StandardStreams.Out.FlushAsync(cancel);
    }

    private static void Say(CommandLine.Settings settings, string line)
    {
        if (!settings.Quiet)
        {
            StandardStreams.Error.WriteLine($"xenmatchbox: {line}");
        }
    }
}
