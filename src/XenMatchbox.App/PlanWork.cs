using Microsoft.FSharp.Collections;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>Carries out a run plan's work: its downloads (a boot, stage) or its probes (a dry run).</summary>
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
    /// What a HEAD finds for each asset, in order, and what its signature says under
    /// --verify-assets; a failure is kept for the report, not thrown.
    /// </summary>
    public static async Task<FSharpList<Tuple<DryRun.Head, DryRun.Vouching>>> ProbeAsync(
        AssetDownloader downloader, IEnumerable<Tuple<string, Plan.AssetUrl>> probes, CancellationToken cancel)
    {
        var found = new List<Tuple<DryRun.Head, DryRun.Vouching>>();
        foreach (var (role, url) in probes)
        {
            DryRun.Head head;
            try
            {
                head = await downloader.SizeAsync(url, cancel) is { } bytes ? DryRun.Head.NewDeclared(bytes) : DryRun.Head.Undeclared;
            }
            catch (BootFailure failure) when (!cancel.IsCancellationRequested)
            {
                head = DryRun.Head.NewFailed(failure.Error);
            }
            DryRun.Vouching signature;
            try
            {
                signature = await downloader.SignerAsync(url, role, cancel) is { } signer ? DryRun.Vouching.NewVouched(signer) : DryRun.Vouching.Unchecked;
            }
            catch (BootFailure failure) when (!cancel.IsCancellationRequested)
            {
                signature = DryRun.Vouching.NewRefused(failure.Error);
            }
            found.Add(Tuple.Create(head, signature));
        }
        return ListModule.OfSeq(found);
    }
}
