using Microsoft.FSharp.Core;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// Puts each asset where the plan says, through the cache when there is one: an entry is
/// revalidated (Cache.revalidation) and used while current, else the asset is fetched and stored;
/// a cache that fails (a broken entry, a full disk) costs one line and the rest of the boot goes
/// without it. Several initrds are concatenated in order. Under --verify-assets=required each URL's
/// signature (URL.sig) is fetched first and the bytes are checked as they stream in, before the
/// file is renamed into place; a cached entry is used only when the very signature the server serves
/// now verified it and its bytes still hash to the pieces recorded then.
/// </summary>
internal sealed class AssetDownloader : IDisposable
{
    private readonly AssetHttp http;
    private readonly BodyTransfer transfer;
    private readonly OutputFiles files;
    private readonly AssetCache? cache;
    private readonly ProgressDisplay? progress;
    private readonly KeyRing? keys;

    public AssetDownloader(
        TlsMaterial tls, OutputFiles files, CommandLine.BootLimits limits, Transfer.RedirectRule redirects, AssetCache? cache, ProgressDisplay? progress, KeyRing? keys)
    {
        this.keys = keys;
        http = new AssetHttp(tls, limits, redirects);
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
    /// bytes, or the cached ones are not those their signature verified); returns the file to use.
    /// Trouble writing or reading the cache's files is CacheUnusable.
    /// </summary>
    private async Task<string> RefreshAsync(
        Plan.AssetUrl url, CacheLease lease, string what, long limit, List<Trust.Signer> signers, CancellationToken cancel)
    {
        BodyTransfer.Fetched? fetched;
        await using (var partial = lease.CreatePartial())
        {
            try
            {
                fetched = await FetchUnlessCurrentAsync(url, lease, partial, 0, partial.Name, what, limit, signers, cancel);
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
                // The entry records what verified its bytes and their pieces' digest (nothing, without --verify-assets).
                var entry = store.Item;
                var verified = fetched is { Verified: { } record, Pieces: { } pieces }
                    ? FSharpOption<Cache.Verification>.Some(new Cache.Verification(record, pieces))
                    : FSharpOption<Cache.Verification>.None;
                lease.Store(new Cache.Entry(entry.Url, entry.ETag, entry.LastModified, entry.Length, verified));
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
                var fetched = await FetchUnlessCurrentAsync(url, lease, output, start, finalPath, what, limit, signers, cancel);
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
    /// Null when the lease's stored entry is still the server's and may be used (nothing written);
    /// otherwise the whole asset, fetched into <paramref name="output"/> at <paramref name="start"/>
    /// (a writable lease's partial file, or libxl's file). An entry with an ETag is revalidated by a
    /// conditional GET, whose 304 must repeat the entry's validators; one with only a date by a HEAD
    /// that must show its date and length (Cache.revalidation says why). Anything else is a change:
    /// the asset is fetched again without validators. Under --verify-assets the signature is fetched
    /// and judged first, fetched bytes are checked as they arrive (Fetched.Verified says by what),
    /// and Cache.usage says whether the entry may be used: only one this very signature verified,
    /// and only once its bytes on disk hash to the pieces recorded (Cache.examine; the hashing starts
    /// at once, beside the signature's fetch and the revalidation). Bytes that changed in the cache
    /// are said in one line, the entry goes, and the asset is downloaded and verified again.
    /// </summary>
    private async Task<BodyTransfer.Fetched?> FetchUnlessCurrentAsync(
        Plan.AssetUrl url, CacheLease? lease, FileStream output, long start, string finalPath, string what, long limit,
        List<Trust.Signer> signers, CancellationToken cancel)
    {
        var stored = lease?.Stored;
        using var early = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var hashing = keys is not null && stored is { Verified: not null } ? cache!.PiecesAsync(lease!, stored.Length, early.Token) : null;
        try
        {
            using var check = keys is null ? null
                : await SignatureFetch.PrepareAsync(http, Signed.NewAsset(what, url.Shown), Trust.signatureUrl(url), keys, cancel);
            if (check is not null)
            {
                // One list per download, whose URLs go one after another.
                signers.Add(check.Signer);
            }
            var use = stored is null ? Cache.Use.Refetch : Cache.usage(check?.Record.AsOption() ?? FSharpOption<string>.None, stored);
            if (use.IsRefetch)
            {
                stored = null;
            }
            // Bytes verified into the cache's partial file become an entry: their pieces are hashed as they are written.
            using var pieces = check is not null && lease is { Writable: true } ? new PieceDigest.Writer() : null;
            if (stored is not null)
            {
                bool current;
                if (Cache.revalidation(stored) is Cache.Revalidation.Conditional conditional)
                {
                    var answer = await transfer.FetchAsync(url, [.. conditional.headers], output, start, finalPath, what, limit, check, pieces, cancel);
                    if (answer.Status != 304)
                    {
                        return answer;
                    }
                    current = Cache.decide(url.Shown, stored.AsOption(), 304, answer.ETag.AsOption(), answer.LastModified.AsOption(), null).ValueOrNull() is { IsCurrent: true };
                }
                else
                {
                    var head = await http.HeadAsync(url, cancel);
                    current = Cache.compareHead(stored, head.ETag.AsOption(), head.LastModified.AsOption(), head.Length.AsOption()).IsCurrent;
                }
                if (current)
                {
                    if (use is not Cache.Use.OnceExamined examined)
                    {
                        return null;
                    }
                    var digest = hashing!;
                    hashing = null;
                    if (Cache.examine(examined.pieces, await digest) is not Cache.Bytes.Altered altered)
                    {
                        return null;
                    }
                    cache!.Say(Cache.alteredNote(cache.Root, stored, altered.piece));
                    lease!.Forget();
                }
            }
            return await transfer.FetchAsync(url, [], output, start, finalPath, what, limit, check, pieces, cancel);
        }
        finally
        {
            if (hashing is not null)
            {
                // Not needed after all (another signature, a changed asset, a failure): stopped, and awaited so no thread outlives the lease.
                await early.CancelAsync();
                try
                {
                    await hashing;
                }
                catch (Exception e) when (e is OperationCanceledException or CacheUnusable) { }
            }
        }
    }

    public void Dispose() => http.Dispose();
}
