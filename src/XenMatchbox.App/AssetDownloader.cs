using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// Puts each asset where the plan says, through the cache when there is one: an entry is
/// revalidated (Cache.revalidation) and used while current, else the asset is fetched and stored;
/// a cache that fails (a broken entry, a full disk) costs one line and the rest of the boot goes
/// without it. Several initrds are concatenated in order. Under --verify-assets=required each URL's
/// signature (URL.sig) is fetched first and the bytes are checked as they stream in, before the
/// file is renamed into place; a cached entry is used only when the very signature the server serves
/// now verified it.
/// </summary>
internal sealed class AssetDownloader : IDisposable
{
    private readonly AssetHttp http;
    private readonly BodyTransfer transfer;
    private readonly OutputFiles files;
    private readonly AssetCache? cache;
    private readonly ProgressDisplay? progress;
    private readonly KeyRing? keys;

    public AssetDownloader(TlsMaterial tls, OutputFiles files, CommandLine.BootLimits limits, AssetCache? cache, ProgressDisplay? progress, KeyRing? keys)
    {
        this.keys = keys;
        http = new AssetHttp(tls, limits);
        transfer = new BodyTransfer(http, limits, progress);
        this.files = files;
        this.cache = cache;
        this.progress = progress;
    }

    /// <summary>The HTTP client of assets, also used for matchbox's /ipxe (and /ipxe.sig) in HTTP-only mode.</summary>
    public AssetHttp Http => http;

    /// <summary>The size an asset's server declares to HEAD (null when none): for dry runs.</summary>
    public Task<long?> SizeAsync(Plan.AssetUrl url, CancellationToken cancel) => http.SizeAsync(url, cancel);

    /// <summary>
    /// Under --verify-assets, the key whose signature (URL.sig) would vouch for the asset, judged
    /// as a boot judges it before downloading (the bytes are not checked: nothing is downloaded);
    /// null without --verify-assets. A signature a boot would refuse is a <see cref="BootFailure"/>.
    /// </summary>
    public async Task<Trust.Signer?> SignerAsync(Plan.AssetUrl url, string what, CancellationToken cancel)
    {
        using var check = keys is null ? null : await SignatureFetch.PrepareAsync(http, Signed.NewAsset(what, url.Shown), Trust.signatureUrl(url), keys, cancel);
        return check?.Signer;
    }

    /// <summary>
    /// Downloads the URLs, in order, into one file at <paramref name="finalPath"/>, which may grow to
    /// <paramref name="limit"/> bytes (<paramref name="what"/> names it in errors). Through the cache
    /// when there is one: each URL revalidated, fetched only when it changed. When the cache fails
    /// (a broken entry, a full disk), one line says so and the rest of the boot goes without it.
    /// </summary>
    public async Task DownloadAsync(IReadOnlyList<Plan.AssetUrl> urls, string finalPath, string what, long limit, CancellationToken cancel)
    {
        progress?.Start(what);
        var signers = new List<Trust.Signer>();
        var length = await PlaceAsync(urls, finalPath, what, limit, signers, cancel);
        progress?.Finish(what, length, signers);
    }

    /// <summary>Puts the asset at <paramref name="finalPath"/>; returns its length; adds who signed each URL's bytes to <paramref name="signers"/>.</summary>
    private async Task<long> PlaceAsync(
        IReadOnlyList<Plan.AssetUrl> urls, string finalPath, string what, long limit, List<Trust.Signer> signers, CancellationToken cancel)
    {
        if (cache is { Writable: true, Usable: true } && urls.Count == 1)
        {
            // The common case: the output file becomes a hard link to (or a copy of) the cached file.
            try
            {
                using var lease = await cache.AcquireAsync(urls[0].Shown, cancel);
                var source = await RefreshAsync(urls[0], lease, what, limit, signers, cancel);
                Transfer.checkNotEmpty(urls[0].Shown, what, new FileInfo(source).Length).OrFail();
                await Task.Run(() => files.Place(source, finalPath), cancel);
                return new FileInfo(source).Length;
            }
            catch (CacheUnusable failure)
            {
                cache.GiveUp(failure);
            }
        }
        string writtenPath;
        long length = 0;
        await using (var output = files.Open(finalPath))
        {
            writtenPath = output.Name;
            foreach (var url in urls)
            {
                var end = await AppendAsync(url, output, length, finalPath, what, limit, signers, cancel);
                Transfer.checkNotEmpty(url.Shown, what, end - length).OrFail();
                length = end;
            }
        }
        files.Complete(writtenPath, finalPath);
        return length;
    }

    /// <summary>
    /// Makes the lease's entry current (downloading into the cache only when the server has other
    /// bytes); returns the file to use. Trouble writing the cache's files is CacheUnusable.
    /// </summary>
    private async Task<string> RefreshAsync(
        Plan.AssetUrl url, CacheLease lease, string what, long limit, List<Trust.Signer> signers, CancellationToken cancel)
    {
        BodyTransfer.Fetched? fetched;
        await using (var partial = lease.CreatePartial())
        {
            try
            {
                fetched = await FetchUnlessCurrentAsync(url, lease.Stored, partial, 0, partial.Name, what, limit, signers, cancel);
            }
            catch (BootFailure failure) when (failure.Error is Errors.BootError.Download { Item: DownloadError.DiskFull or DownloadError.AssetWriteFailed })
            {
                // Every byte here goes to the cache's partial file: it is the cache's disk that failed.
                throw new CacheUnusable(Errors.cause(failure.Error), failure);
            }
        }
        if (fetched is null)
        {
            Transfer.checkSize(url.Shown, what, limit, lease.Stored!.Length).OrFail();
            lease.Touch();
            return lease.DataPath;
        }
        switch (Cache.decide(url.Shown, lease.Stored.AsOption(), 200, fetched.ETag.AsOption(), fetched.LastModified.AsOption(), fetched.Declared.AsOption()).ValueOrNull())
        {
            case Cache.Answer.Store store:
                // The entry records what verified its bytes (nothing, without --verify-assets).
                var entry = store.Item;
                lease.Store(new Cache.Entry(entry.Url, entry.ETag, entry.LastModified, entry.Length, fetched.Verified.AsOption()));
                return lease.DataPath;
            default:
                lease.Forget();
                return lease.PartialPath!;
        }
    }

    /// <summary>Appends one URL's bytes to the output at <paramref name="start"/>: from the cache when current, else downloaded.</summary>
    private async Task<long> AppendAsync(
        Plan.AssetUrl url, FileStream output, long start, string finalPath, string what, long limit, List<Trust.Signer> signers, CancellationToken cancel)
    {
        if (cache is { Usable: true })
        {
            try
            {
                using var lease = await cache.AcquireAsync(url.Shown, cancel);
                if (lease.Writable)
                {
                    var source = await RefreshAsync(url, lease, what, limit - start, signers, cancel);
                    return await CopyFromAsync(source, output, start, finalPath, what, limit, url, cancel);
                }
                // Restricted: the entry is used when current, never stored.
                var fetched = await FetchUnlessCurrentAsync(url, lease.Stored, output, start, finalPath, what, limit, signers, cancel);
                return fetched?.End ?? await CopyFromAsync(lease.DataPath, output, start, finalPath, what, limit, url, cancel);
            }
            catch (CacheUnusable failure)
            {
                cache.GiveUp(failure);
                output.SetLength(start);
                output.Position = start;
            }
        }
        return (await FetchUnlessCurrentAsync(url, null, output, start, finalPath, what, limit, signers, cancel))!.End;
    }

    private static Task<long> CopyFromAsync(
        string source, FileStream output, long start, string finalPath, string what, long limit, Plan.AssetUrl url, CancellationToken cancel) =>
        Task.Run(() => OutputFiles.AppendFile(source, output, start, finalPath, end => Transfer.checkSize(url.Shown, what, limit, end).OrFail()), cancel);

    /// <summary>
    /// Null when the stored entry is still the server's (nothing written); otherwise the whole asset,
    /// fetched into <paramref name="output"/> at <paramref name="start"/>. An entry with an ETag is
    /// revalidated by a conditional GET, whose 304 must repeat the entry's validators; one with only
    /// a date by a HEAD that must show its date and length (Cache.revalidation says why). Anything
    /// else is a change: the asset is fetched again without validators. Under --verify-assets the
    /// signature is fetched and judged first; an entry that this very signature did not verify
    /// counts as changed, and fetched bytes are checked as they arrive (Fetched.Verified says by what).
    /// </summary>
    private async Task<BodyTransfer.Fetched?> FetchUnlessCurrentAsync(
        Plan.AssetUrl url, Cache.Entry? stored, FileStream output, long start, string finalPath, string what, long limit,
        List<Trust.Signer> signers, CancellationToken cancel)
    {
        using var check = keys is null ? null
            : await SignatureFetch.PrepareAsync(http, Signed.NewAsset(what, url.Shown), Trust.signatureUrl(url), keys, cancel);
        if (check is not null)
        {
            // One list per download, whose URLs go one after another.
            signers.Add(check.Signer);
            if (stored is not null && !Cache.verifiedBy(check.Record, stored))
            {
                stored = null;
            }
        }
        if (stored is not null)
        {
            if (Cache.revalidation(stored) is Cache.Revalidation.Conditional conditional)
            {
                var answer = await transfer.FetchAsync(url, [.. conditional.headers], output, start, finalPath, what, limit, check, cancel);
                if (answer.Status != 304)
                {
                    return answer;
                }
                if (Cache.decide(url.Shown, stored.AsOption(), 304, answer.ETag.AsOption(), answer.LastModified.AsOption(), null).ValueOrNull() is { IsCurrent: true })
                {
                    return null;
                }
            }
            else
            {
                var head = await http.HeadAsync(url, cancel);
                if (Cache.compareHead(stored, head.ETag.AsOption(), head.LastModified.AsOption(), head.Length.AsOption()).IsCurrent)
                {
                    return null;
                }
            }
        }
        return await transfer.FetchAsync(url, [], output, start, finalPath, what, limit, check, cancel);
    }

    public void Dispose() => http.Dispose();
}
