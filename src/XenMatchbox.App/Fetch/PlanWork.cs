using Microsoft.FSharp.Collections;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// The run's middle: look up and plan (a boot, show, stage and check alike), then carry out the
/// plan's work: its downloads (a boot, stage) or its probes and report (a dry run).
/// </summary>
internal static class PlanWork
{
    /// <summary>
    /// Downloads side by side (kernel and ramdisk); the first failure stops the others and is the
    /// one reported, not the cancellation it caused.
    /// </summary>
    public static async Task FetchAsync(AssetDownloader downloader, IEnumerable<Boot.Download> downloads, CancellationToken cancel)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var tasks = downloads.Select(async download =>
        {
            try
            {
                await downloader.DownloadAsync([.. download.Urls], download.Target, Boot.roleName(download.Role), download.MaxBytes, stop.Token);
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

    /// <summary>
    /// Looks the profile up and makes the run's plan: the one path of a boot (show, stage) and of
    /// check's profile probe. <paramref name="labelled"/> hears the lookup's labels before the
    /// first server is asked.
    /// </summary>
    public static async Task<(LookupResult Found, Boot.RunPlan Run)> LookUpAndPlanAsync(
        CommandLine.Settings settings, TlsMaterial tls, TrustKeys keys, XenstoreIdentity? identity, AssetDownloader downloader,
        Func<long?> millisecondsLeft, Action<string> say, Action<Labels.Labels>? labelled, CancellationToken cancel)
    {
        var found = await ProfileLookup.SelectAsync(settings, tls, keys.Lookup, identity, downloader.Http, millisecondsLeft, say, cancel, labelled);
        return (found, Boot.create(settings, found.Route, found.Labels, found.Expansion, found.Profile).OrFail());
    }

    /// <summary>
    /// A dry run's work: what a HEAD finds for each asset, in order, and what its signature says
    /// under --verify-assets (a failure is kept for the report, not thrown); then the report.
    /// </summary>
    public static async Task<DryRun.Report> ReportAsync(
        AssetDownloader downloader, CommandLine.Settings settings, Boot.RunPlan run, LookupResult found, FSharpList<Boot.Probe> probes, CancellationToken cancel)
    {
        var findings = new List<Tuple<Boot.Probe, DryRun.Head, DryRun.Vouching>>();
        foreach (var probe in probes)
        {
            DryRun.Head head;
            try
            {
                head = await downloader.SizeAsync(probe.Url, cancel) is { } bytes ? DryRun.Head.NewDeclared(bytes) : DryRun.Head.Undeclared;
            }
            catch (BootFailure failure) when (!cancel.IsCancellationRequested)
            {
                head = DryRun.Head.NewFailed(failure.Error);
            }
            DryRun.Vouching signature;
            try
            {
                signature = await downloader.SignerAsync(probe.Url, DryRun.probedName(probe.Role), cancel) is { } signer
                    ? DryRun.Vouching.NewVouched(signer)
                    : DryRun.Vouching.Unchecked;
            }
            catch (BootFailure failure) when (!cancel.IsCancellationRequested)
            {
                signature = DryRun.Vouching.NewRefused(failure.Error);
            }
            findings.Add(Tuple.Create(probe, head, signature));
        }
        return Boot.report(ThisBuild.Release, settings, run, found.Signer.AsOption(), found.Age.AsOption(), ListModule.OfSeq(findings));
    }
}
