using System.Runtime.ExceptionServices;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// Puts each asset where the plan says, carrying out the steps <see cref="Fetch"/> decides: per
/// URL, the cache's entry locked and read, the signature (URL.sig) fetched and judged first under
/// --verify-assets, the entry revalidated and used, or the asset fetched (checked as it streams in)
/// and stored; then the cached file placed, or the URLs' bytes appended in order into one file. A
/// cache that fails costs one line and the rest of the boot goes without it.
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
    public Task<long?> SizeAsync(Profile.AssetUrl url, CancellationToken cancel) => http.SizeAsync(url, cancel);

    /// <summary>
    /// Under --verify-assets, the key whose signature (URL.sig) would vouch for the asset, judged
    /// as a boot judges it before downloading (the bytes are not checked: nothing is downloaded);
    /// null without --verify-assets. A signature a boot would refuse is a <see cref="BootFailure"/>.
    /// </summary>
    public async Task<Trust.Signer?> SignerAsync(Profile.AssetUrl url, string role, CancellationToken cancel)
    {
        using var check = keys is null ? null : await SignatureFetch.PrepareAsync(http, Signed.NewAsset(role, url.Shown), Trust.signatureUrl(url), keys, cancel);
        return check?.Signer;
    }

    /// <summary>
    /// Downloads the URLs, in order, into one file at <paramref name="finalPath"/>, which may grow to
    /// <paramref name="limit"/> bytes (<paramref name="what"/> names it in errors), as the steps of
    /// <see cref="Fetch"/> say.
    /// </summary>
    public async Task DownloadAsync(IReadOnlyList<Profile.AssetUrl> urls, string finalPath, string role, long limit, CancellationToken cancel)
    {
        progress?.Start(role);
        var signers = new List<Trust.Signer>();
        var settings = new Fetch.Settings(
            ListModule.OfSeq(urls), role, limit, keys is not null,
            cache is { Usable: true } ? new Fetch.CacheUse(cache.Root, cache.Access) : FSharpOption<Fetch.CacheUse>.None);
        await using var steps = new Steps(this, finalPath, role, signers, cancel);
        var fetching = Fetch.start(settings);
        while (!fetching.Step.IsDone && !fetching.Step.IsFail)
        {
            fetching = Fetch.next(fetching, await steps.CarryOutAsync(fetching));
        }
        if (fetching.Step is Fetch.Step.Fail fail)
        {
            steps.Throw(fail.Item);
        }
        progress?.Finish(role, ((Fetch.Step.Done)fetching.Step).length, signers);
    }

    public void Dispose() => http.Dispose();

    /// <summary>
    /// Carries out one asset's steps: holds its file in libxl's directory and, for the URL at hand,
    /// its entry's lease and partial file, its signature's check, and the stored bytes' hashing.
    /// </summary>
    private sealed class Steps(AssetDownloader owner, string finalPath, string role, List<Trust.Signer> signers, CancellationToken cancel) : IAsyncDisposable
    {
        private FileStream? output;
        private string? writtenPath;
        private int part;
        private CacheLease? lease;
        private FileStream? partial;
        private SignatureCheck? check;
        private PieceDigest.Writer? pieces;
        private CancellationTokenSource? early;
        private Task<FSharpList<string>>? hashing;
        private BootFailure? failure;

        private AssetCache Cache => owner.cache!;

        /// <summary>Carries the step out; a failure is its outcome (the shell's exceptions, as the Domain reads them).</summary>
        public async Task<Fetch.Outcome> CarryOutAsync(Fetch.Fetching fetching)
        {
            if (fetching.Part != part)
            {
                await ReleaseAsync();
                part = fetching.Part;
            }
            try
            {
                return await CarryOutAsync(fetching.Step);
            }
            catch (BootFailure e)
            {
                failure = e;
                return Fetch.Outcome.NewFailed(e.Error);
            }
            catch (CacheUnusable e)
            {
                return Fetch.Outcome.NewCacheFailed(e.Message);
            }
        }

        private async Task<Fetch.Outcome> CarryOutAsync(Fetch.Step step)
        {
            switch (step)
            {
                case { IsOpenOutput: true }:
                    output = owner.files.Open(finalPath);
                    writtenPath = output.Name;
                    return Fetch.Outcome.Carried;
                case Fetch.Step.OpenEntry open:
                    if (!Cache.Usable)
                    {
                        return Fetch.Outcome.CacheOff;
                    }
                    lease = await Cache.AcquireAsync(open.url.Shown, cancel);
                    partial = open.withPartial ? lease.CreatePartial() : null;
                    return Fetch.Outcome.NewEntryRead(lease.Stored.AsOption());
                case Fetch.Step.FetchSignature signature:
                    if (signature.hashStored.AsNullable() is { } length)
                    {
                        // Started at once, beside the signature's fetch and the revalidation.
                        early = CancellationTokenSource.CreateLinkedTokenSource(cancel);
                        hashing = Cache.PiecesAsync(lease!, length, early.Token);
                    }
                    check = await SignatureFetch.PrepareAsync(owner.http, signature.signed, signature.signature, owner.keys!, cancel);
                    // One list per download, whose URLs go one after another.
                    signers.Add(check.Signer);
                    return Fetch.Outcome.NewSignatureRead(check.Record);
                case Fetch.Step.Revalidate revalidate:
                    return await GetAsync(revalidate.url, revalidate.headers, revalidate.target);
                case Fetch.Step.Get get:
                    return await GetAsync(get.url, FSharpList<Tuple<string, string>>.Empty, get.target);
                case Fetch.Step.CompareHead compare:
                    var head = await owner.http.HeadAsync(compare.url, cancel);
                    return Fetch.Outcome.NewHeadRead(head.ETag.AsOption(), head.LastModified.AsOption(), head.Length.AsOption());
                case Fetch.Step.Examine examine:
                    var digest = hashing ?? Cache.PiecesAsync(lease!, examine.length, cancel);
                    hashing = null;
                    return Fetch.Outcome.NewHashed(await digest);
                case Fetch.Step.Discard discard:
                    if (discard.note.ValueOrNull() is { } note)
                    {
                        Cache.Say(note);
                    }
                    if (discard.remove)
                    {
                        lease!.Forget();
                    }
                    return Fetch.Outcome.Carried;
                case { IsUseStored: true }:
                    await ClosePartialAsync();
                    lease!.Touch();
                    return Fetch.Outcome.Carried;
                case Fetch.Step.Store store:
                    await ClosePartialAsync();
                    lease!.Store(store.Item);
                    return Fetch.Outcome.Carried;
                case Fetch.Step.Place place:
                    await ClosePartialAsync();
                    var placed = PathOf(place.Item);
                    await Task.Run(() => owner.files.Place(placed, finalPath), cancel);
                    return Fetch.Outcome.Carried;
                case Fetch.Step.Append append:
                    await ClosePartialAsync();
                    var source = PathOf(append.source);
                    var (url, start, limit) = (append.url, append.start, append.limit);
                    return Fetch.Outcome.NewAppended(await Task.Run(
                        () => OutputFiles.AppendFile(source, output!, start, finalPath, end => Transfer.checkSize(url.Shown, role, limit, end).OrFail()), cancel));
                case Fetch.Step.GiveUpCache giveUp:
                    Cache.GiveUp(giveUp.note);
                    await ReleaseAsync();
                    if (giveUp.rewind.AsNullable() is { } rewind)
                    {
                        output!.SetLength(rewind);
                        output.Position = rewind;
                    }
                    return Fetch.Outcome.Carried;
                case { IsComplete: true }:
                    await output!.DisposeAsync();
                    output = null;
                    owner.files.Complete(writtenPath!, finalPath);
                    return Fetch.Outcome.Carried;
                default:
                    throw new InvalidOperationException($"no step to carry out: {step}");
            }
        }

        /// <summary>A GET into the target (the entry's partial file, or the asset's file at an offset); 304 to a conditional one.</summary>
        private async Task<Fetch.Outcome> GetAsync(Profile.AssetUrl url, FSharpList<Tuple<string, string>> conditions, Fetch.Target target)
        {
            BodyTransfer.Fetched fetched;
            if (target is Fetch.Target.ToPartial toPartial)
            {
                // Bytes verified into the cache's partial file become an entry: their pieces are hashed as they are written.
                pieces ??= toPartial.hashPieces ? new PieceDigest.Writer() : null;
                fetched = await owner.transfer.FetchAsync(url, [.. conditions], partial!, 0, partial!.Name, role, toPartial.limit, check, pieces, cancel);
            }
            else
            {
                var toFile = (Fetch.Target.ToFile)target;
                fetched = await owner.transfer.FetchAsync(url, [.. conditions], output!, toFile.start, finalPath, role, toFile.limit, check, null, cancel);
            }
            return fetched.Status == 304
                ? Fetch.Outcome.NewNotModified(fetched.ETag.AsOption(), fetched.LastModified.AsOption())
                : Fetch.Outcome.NewReceived(new Fetch.Received(
                    fetched.ETag.AsOption(), fetched.LastModified.AsOption(), fetched.Declared.AsOption(), fetched.End, fetched.Pieces.AsOption()));
        }

        private string PathOf(Fetch.Source source) => source.IsPartialFile ? lease!.PartialPath! : lease!.DataPath;

        /// <summary>The partial file's download is over: closed before it is renamed, read or removed.</summary>
        private async Task ClosePartialAsync()
        {
            if (partial is not null)
            {
                await partial.DisposeAsync();
                partial = null;
            }
        }

        /// <summary>What the URL held goes: its hashing stopped (and awaited, so no thread outlives the lease), its check, its partial file and lease.</summary>
        private async Task ReleaseAsync()
        {
            if (hashing is not null)
            {
                await early!.CancelAsync();
                try
                {
                    await hashing;
                }
                catch (Exception e) when (e is OperationCanceledException or CacheUnusable) { }
                hashing = null;
            }
            early?.Dispose();
            early = null;
            check?.Dispose();
            check = null;
            pieces?.Dispose();
            pieces = null;
            await ClosePartialAsync();
            lease?.Dispose();
            lease = null;
        }

        /// <summary>The fetch failed: the step's own failure when that is the error, else the error.</summary>
        [System.Diagnostics.CodeAnalysis.DoesNotReturn]
        public void Throw(Errors.BootError error)
        {
            if (failure is not null && ReferenceEquals(failure.Error, error))
            {
                ExceptionDispatchInfo.Throw(failure);
            }
            throw new BootFailure(error);
        }

        public async ValueTask DisposeAsync()
        {
            await ReleaseAsync();
            if (output is not null)
            {
                await output.DisposeAsync();
            }
        }
    }
}
