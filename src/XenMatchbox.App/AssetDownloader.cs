using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// Streams kernel and initrds to disk: never whole in memory; status, size caps, Content-Length and
/// free space checked; redirects followed only to http/https; transient failures retried; every
/// connect and every wait for bytes bounded.
/// </summary>
internal sealed class AssetDownloader : IDisposable
{
    private const int BufferSize = 1 << 20;
    private readonly HttpClient client;
    private readonly OutputFiles files;
    private readonly CommandLine.BootLimits limits;
    private readonly AssetCache? cache;
    private readonly ProgressDisplay? progress;

    public AssetDownloader(TlsMaterial tls, OutputFiles files, CommandLine.BootLimits limits, AssetCache? cache, ProgressDisplay? progress)
    {
        this.cache = cache;
        this.progress = progress;
        this.files = files;
        this.limits = limits;
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(limits.ConnectSeconds),
            AutomaticDecompression = DecompressionMethods.None,
            // Redirects are followed here, one by one, so that each target is checked.
            AllowAutoRedirect = false,
            SslOptions = new SslClientAuthenticationOptions
            {
                // https:// assets: the matchbox CA for self-hosted servers, else the system's anchors
                // (read on first need; see SystemTrust). The host name check always applies.
                RemoteCertificateValidationCallback = (_, certificate, sent, errors) =>
                    errors == SslPolicyErrors.None
                    || errors == SslPolicyErrors.RemoteCertificateChainErrors && certificate is not null
                       && (ChainsTo(certificate, sent, tls.Authorities) || ChainsTo(certificate, sent, SystemTrust.Authorities)),
            },
        };
        client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The connection pool for assets, also used for matchbox's /ipxe in HTTP-only mode.</summary>
    public HttpClient Client => client;

    /// <summary>
    /// The size the asset's server declares to a HEAD request (redirects followed and checked as for
    /// a download); null when it declares none. For dry runs: no body is transferred.
    /// </summary>
    public Task<long?> SizeAsync(Plan.AssetUrl url, CancellationToken cancel) =>
        Retries.RunAsync(async () =>
        {
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            using var response = await SendFollowingRedirectsAsync(HttpMethod.Head, url, null, idle, TimeSpan.FromSeconds(limits.ReadSeconds), cancel);
            return response.Content.Headers.ContentLength;
        }, cancel);

    /// <summary>Whether the certificate, with the intermediates the server sent, leads to one of the anchors.</summary>
    private static bool ChainsTo(X509Certificate certificate, X509Chain? sent, X509Certificate2Collection anchors)
    {
        if (anchors.Count == 0)
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.AddRange(anchors);
        if (sent is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(sent.ChainPolicy.ExtraStore);
        }
        return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    }

    /// <summary>
    /// Downloads the URLs, in order, into one file at <paramref name="finalPath"/>, which may grow to
    /// <paramref name="limit"/> bytes (<paramref name="what"/> names it in errors). Through the cache
    /// when there is one: each URL revalidated, fetched only when it changed.
    /// </summary>
    public async Task DownloadAsync(IReadOnlyList<Plan.AssetUrl> urls, string finalPath, string what, long limit, CancellationToken cancel)
    {
        progress?.Start(what);
        await PlaceAsync(urls, finalPath, what, limit, cancel);
        progress?.Finish(what, new FileInfo(finalPath).Length);
    }

    private async Task PlaceAsync(IReadOnlyList<Plan.AssetUrl> urls, string finalPath, string what, long limit, CancellationToken cancel)
    {
        if (cache is { Writable: true } && urls.Count == 1)
        {
            // The common case: the output file becomes a hard link to (or a copy of) the cached file.
            using var lease = await cache.AcquireAsync(urls[0].Value, cancel);
            if (lease is not null)
            {
                var source = await RefreshAsync(urls[0], lease, finalPath, what, limit, cancel);
                await Task.Run(() => files.Place(source, finalPath), cancel);
                return;
            }
        }
        string writtenPath;
        await using (var output = files.Open(finalPath))
        {
            writtenPath = output.Name;
            long length = 0;
            foreach (var url in urls)
            {
                using var lease = cache is null ? null : await cache.AcquireAsync(url.Value, cancel);
                length = await AppendAsync(url, lease, output, length, finalPath, what, limit, cancel);
            }
        }
        files.Complete(writtenPath, finalPath);
    }

    /// <summary>Makes the lease's entry current (downloading only when the server has a newer one); returns the file to use.</summary>
    private async Task<string> RefreshAsync(Plan.AssetUrl url, AssetCache.Lease lease, string finalPath, string what, long limit, CancellationToken cancel)
    {
        Fetched? fetched;
        await using (var partial = lease.CreatePartial())
        {
            fetched = await FetchWithRetriesAsync(url, lease.Stored, partial, 0, partial.Name, what, limit, cancel);
        }
        if (fetched is null)
        {
            Transfer.checkSize(url.Value, what, limit, lease.Stored!.Length).OrFail();
            lease.Touch();
            return lease.DataPath;
        }
        switch (Cache.decide(url.Value, lease.Stored.AsOption(), 200, fetched.ETag.AsOption(), fetched.LastModified.AsOption(), fetched.Declared.AsOption()).ValueOrNull())
        {
            case Cache.Answer.Store store:
                lease.Store(store.Item);
                return lease.DataPath;
            default:
                lease.Forget();
                return lease.PartialPath!;
        }
    }

    /// <summary>Appends one URL's bytes to the output at <paramref name="start"/>: from the cache when current, else downloaded.</summary>
    private async Task<long> AppendAsync(
        Plan.AssetUrl url, AssetCache.Lease? lease, FileStream output, long start, string finalPath, string what, long limit, CancellationToken cancel)
    {
        if (lease is { Writable: true })
        {
            var source = await RefreshAsync(url, lease, finalPath, what, limit - start, cancel);
            return await CopyFromAsync(source, output, start, finalPath, what, limit, url, cancel);
        }
        var fetched = await FetchWithRetriesAsync(url, lease?.Stored, output, start, finalPath, what, limit, cancel);
        return fetched?.End ?? await CopyFromAsync(lease!.DataPath, output, start, finalPath, what, limit, url, cancel);
    }

    private static Task<long> CopyFromAsync(
        string source, FileStream output, long start, string finalPath, string what, long limit, Plan.AssetUrl url, CancellationToken cancel) =>
        Task.Run(() => OutputFiles.AppendFile(source, output, start, finalPath, end => Transfer.checkSize(url.Value, what, limit, end).OrFail()), cancel);

    /// <summary>What a full (200) response declared, and where its bytes ended in the file.</summary>
    private sealed record Fetched(long End, string? ETag, string? LastModified, long? Declared);

    /// <summary>Null when the server answered 304 to the stored entry's validators (nothing written).</summary>
    private Task<Fetched?> FetchWithRetriesAsync(
        Plan.AssetUrl url, Cache.Entry? stored, FileStream output, long start, string finalPath, string what, long limit, CancellationToken cancel) =>
        Retries.RunAsync(() => FetchAsync(url, stored, output, start, finalPath, what, limit, cancel), cancel, () =>
        {
            // Start this asset again from where it began in the file.
            output.SetLength(start);
            output.Position = start;
        });

    private async Task<Fetched?> FetchAsync(
        Plan.AssetUrl url, Cache.Entry? stored, FileStream output, long start, string finalPath, string what, long limit, CancellationToken cancel)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var readTimeout = TimeSpan.FromSeconds(limits.ReadSeconds);
        using var response = await SendFollowingRedirectsAsync(HttpMethod.Get, url, stored, idle, readTimeout, cancel);
        if (response.StatusCode == HttpStatusCode.NotModified)
        {
            return null;
        }
        var source = response.RequestMessage?.RequestUri?.AbsoluteUri ?? url.Value;
        var expected = response.Content.Headers.ContentLength;
        if (expected is { } declared)
        {
            // Saturated: a hostile Content-Length near long.MaxValue must not wrap past the limit.
            Transfer.checkSize(source, what, limit, Transfer.addSizes(start, declared)).OrFail();
            OutputFiles.EnsureRoom(finalPath, declared);
        }
        long received = 0;
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(idle.Token);
            // The copy runs on a thread of its own with blocking reads and writes: no wake-up of the
            // thread pool per chunk, which on a small dom0 costs more than the copying. A stalled
            // read is ended by closing the body when the idle timer (or the boot) cancels.
            using var stall = idle.Token.Register(body.Dispose);
            received = await Task.Factory.StartNew(() =>
            {
                var buffer = new byte[BufferSize];
                long done = 0;
                while (true)
                {
                    idle.CancelAfter(readTimeout);
                    var read = body.Read(buffer);
                    if (read == 0)
                    {
                        return done;
                    }
                    done += read;
                    received = done;
                    Transfer.checkSize(source, what, limit, start + done).OrFail();
                    Write(output, buffer.AsSpan(0, read), finalPath);
                    progress?.Report(what, start + done, expected is { } total ? Transfer.addSizes(start, total) : null);
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        catch (Exception e) when (e is ObjectDisposedException or IOException or HttpRequestException or OperationCanceledException && idle.IsCancellationRequested)
        {
            cancel.ThrowIfCancellationRequested();
            throw new BootFailure(Errors.BootError.NewAssetTimedOut(source, $"no data for {limits.ReadSeconds} s after {received} bytes"));
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new BootFailure(expected is { } length
                ? Errors.BootError.NewAssetTruncated(source, length, received)
                : Errors.BootError.NewAssetUnreachable(source, $"the body broke off after {received} bytes: {e.Message}"), e);
        }
        if (expected is { } total && total != received)
        {
            throw new BootFailure(Errors.BootError.NewAssetTruncated(source, total, received));
        }
        return new Fetched(start + received, response.Headers.ETag?.ToString(),
            response.Content.Headers.LastModified?.ToString("R"), expected);
    }

    private async Task<HttpResponseMessage> SendFollowingRedirectsAsync(
        HttpMethod method, Plan.AssetUrl url, Cache.Entry? stored, CancellationTokenSource idle, TimeSpan readTimeout, CancellationToken cancel)
    {
        var current = url;
        for (var hop = 1; ; hop++)
        {
            HttpResponseMessage response;
            try
            {
                idle.CancelAfter(readTimeout);
                using var request = new HttpRequestMessage(method, current.Value);
                if (stored is not null)
                {
                    foreach (var (name, value) in Cache.conditionalHeaders(stored))
                    {
                        request.Headers.TryAddWithoutValidation(name, value);
                    }
                }
                response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, idle.Token);
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                throw new BootFailure(Errors.BootError.NewAssetTimedOut(current.Value, $"no answer within {limits.ReadSeconds} s"));
            }
            catch (HttpRequestException e) when (e.InnerException is TimeoutException || e.InnerException is OperationCanceledException)
            {
                throw new BootFailure(Errors.BootError.NewAssetTimedOut(current.Value, $"no connection within {limits.ConnectSeconds} s"), e);
            }
            catch (HttpRequestException e) when (e.InnerException is System.Security.Authentication.AuthenticationException)
            {
                // Not worth a retry: the certificate will not change.
                throw new BootFailure(Errors.BootError.NewAssetNotTrusted(current.Value, e.InnerException.Message), e);
            }
            catch (HttpRequestException e)
            {
                throw new BootFailure(Errors.BootError.NewAssetUnreachable(current.Value, e.Message), e);
            }
            var status = (int)response.StatusCode;
            if (status is 301 or 302 or 303 or 307 or 308)
            {
                var location = response.Headers.Location?.OriginalString ?? "";
                response.Dispose();
                current = Transfer.followRedirect(current, location, hop).OrFail();
                continue;
            }
            if (response.StatusCode != HttpStatusCode.OK && !(response.StatusCode == HttpStatusCode.NotModified && stored is not null))
            {
                response.Dispose();
                throw new BootFailure(Errors.BootError.NewAssetStatus(current.Value, status));
            }
            return response;
        }
    }

    private static void Write(FileStream output, ReadOnlySpan<byte> data, string finalPath)
    {
        try
        {
            output.Write(data);
        }
        catch (IOException e)
        {
            throw OutputFiles.WriteFailure(finalPath, e);
        }
    }

    public void Dispose() => client.Dispose();
}
