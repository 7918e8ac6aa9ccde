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
            // Credentials go only where the profile's URL names them (see Authorize).
            UseCookies = false,
            PreAuthenticate = false,
            SslOptions = new SslClientAuthenticationOptions
            {
                // https:// assets: the matchbox CA for self-hosted servers, else the system's anchors
                // (read on first need; see SystemTrust). The host name check always applies; a
                // trusted certificate for another name is remembered, to be named as such.
                RemoteCertificateValidationCallback = (sender, certificate, sent, errors) =>
                {
                    var trusted = !errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors)
                        || certificate is not null && (ChainsTo(certificate, sent, tls.Authorities) || ChainsTo(certificate, sent, SystemTrust.Authorities));
                    if (trusted && errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) && sender is SslStream { TargetHostName: { Length: > 0 } host })
                    {
                        misnamed[host] = true;
                    }
                    return trusted && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None;
                },
            },
        };
        client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Hosts whose certificate was trusted but named another host.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> misnamed = new();

    /// <summary>The connection pool for assets, also used for matchbox's /ipxe in HTTP-only mode.</summary>
    public HttpClient Client => client;

    /// <summary>
    /// The size the asset's server declares to a HEAD request (redirects followed and checked as for
    /// a download); null when it declares none. For dry runs: no body is transferred.
    /// </summary>
    public async Task<long?> SizeAsync(Plan.AssetUrl url, CancellationToken cancel) => (await HeadAsync(url, cancel)).Length;

    /// <summary>The validators and length a HEAD request gets (redirects followed), retried as any request.</summary>
    private sealed record Head(string? ETag, string? LastModified, long? Length);

    private Task<Head> HeadAsync(Plan.AssetUrl url, CancellationToken cancel) =>
        Retries.RunAsync(async () =>
        {
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            using var response = await SendFollowingRedirectsAsync(HttpMethod.Head, url, [], idle, TimeSpan.FromSeconds(limits.ReadSeconds), cancel);
            return new Head(response.Headers.ETag?.ToString(), LastModified(response), DeclaredLength(response));
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
    /// when there is one: each URL revalidated, fetched only when it changed. When the cache fails
    /// (a broken entry, a full disk), one line says so and the rest of the boot goes without it.
    /// </summary>
    public async Task DownloadAsync(IReadOnlyList<Plan.AssetUrl> urls, string finalPath, string what, long limit, CancellationToken cancel)
    {
        progress?.Start(what);
        var length = await PlaceAsync(urls, finalPath, what, limit, cancel);
        progress?.Finish(what, length);
    }

    /// <summary>Puts the asset at <paramref name="finalPath"/>; returns its length.</summary>
    private async Task<long> PlaceAsync(IReadOnlyList<Plan.AssetUrl> urls, string finalPath, string what, long limit, CancellationToken cancel)
    {
        if (cache is { Writable: true, Usable: true } && urls.Count == 1)
        {
            // The common case: the output file becomes a hard link to (or a copy of) the cached file.
            try
            {
                using var lease = await cache.AcquireAsync(urls[0].Shown, cancel);
                var source = await RefreshAsync(urls[0], lease, what, limit, cancel);
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
                var end = await AppendAsync(url, output, length, finalPath, what, limit, cancel);
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
    private async Task<string> RefreshAsync(Plan.AssetUrl url, AssetCache.Lease lease, string what, long limit, CancellationToken cancel)
    {
        Fetched? fetched;
        await using (var partial = lease.CreatePartial())
        {
            try
            {
                fetched = await FetchUnlessCurrentAsync(url, lease.Stored, partial, 0, partial.Name, what, limit, cancel);
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
                lease.Store(store.Item);
                return lease.DataPath;
            default:
                lease.Forget();
                return lease.PartialPath!;
        }
    }

    /// <summary>Appends one URL's bytes to the output at <paramref name="start"/>: from the cache when current, else downloaded.</summary>
    private async Task<long> AppendAsync(
        Plan.AssetUrl url, FileStream output, long start, string finalPath, string what, long limit, CancellationToken cancel)
    {
        if (cache is { Usable: true })
        {
            try
            {
                using var lease = await cache.AcquireAsync(url.Shown, cancel);
                if (lease.Writable)
                {
                    var source = await RefreshAsync(url, lease, what, limit - start, cancel);
                    return await CopyFromAsync(source, output, start, finalPath, what, limit, url, cancel);
                }
                // Restricted: the entry is used when current, never stored.
                var fetched = await FetchUnlessCurrentAsync(url, lease.Stored, output, start, finalPath, what, limit, cancel);
                return fetched?.End ?? await CopyFromAsync(lease.DataPath, output, start, finalPath, what, limit, url, cancel);
            }
            catch (CacheUnusable failure)
            {
                cache.GiveUp(failure);
                output.SetLength(start);
                output.Position = start;
            }
        }
        return (await FetchUnlessCurrentAsync(url, null, output, start, finalPath, what, limit, cancel))!.End;
    }

    private static Task<long> CopyFromAsync(
        string source, FileStream output, long start, string finalPath, string what, long limit, Plan.AssetUrl url, CancellationToken cancel) =>
        Task.Run(() => OutputFiles.AppendFile(source, output, start, finalPath, end => Transfer.checkSize(url.Shown, what, limit, end).OrFail()), cancel);

    /// <summary>
    /// What the final response of a GET said: its status (200, or 304 to a conditional request),
    /// validators and declared length, and where its bytes ended in the file.
    /// </summary>
    private sealed record Fetched(int Status, long End, string? ETag, string? LastModified, long? Declared);

    /// <summary>
    /// Null when the stored entry is still the server's (nothing written); otherwise the whole asset,
    /// fetched into <paramref name="output"/> at <paramref name="start"/>. An entry with an ETag is
    /// revalidated by a conditional GET, whose 304 must repeat the entry's validators; one with only
    /// a date by a HEAD that must show its date and length (Cache.revalidation says why). Anything
    /// else is a change: the asset is fetched again without validators.
    /// </summary>
    private async Task<Fetched?> FetchUnlessCurrentAsync(
        Plan.AssetUrl url, Cache.Entry? stored, FileStream output, long start, string finalPath, string what, long limit, CancellationToken cancel)
    {
        if (stored is not null)
        {
            if (Cache.revalidation(stored) is Cache.Revalidation.Conditional conditional)
            {
                var answer = await FetchWithRetriesAsync(url, [.. conditional.headers], output, start, finalPath, what, limit, cancel);
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
                var head = await HeadAsync(url, cancel);
                if (Cache.compareHead(stored, head.ETag.AsOption(), head.LastModified.AsOption(), head.Length.AsOption()).IsCurrent)
                {
                    return null;
                }
            }
        }
        return await FetchWithRetriesAsync(url, [], output, start, finalPath, what, limit, cancel);
    }

    private Task<Fetched> FetchWithRetriesAsync(
        Plan.AssetUrl url, IReadOnlyList<Tuple<string, string>> conditions, FileStream output, long start, string finalPath, string what, long limit, CancellationToken cancel) =>
        Retries.RunAsync(() => FetchAsync(url, conditions, output, start, finalPath, what, limit, cancel), cancel, () =>
        {
            // Start this asset again from where it began in the file.
            output.SetLength(start);
            output.Position = start;
        });

    private async Task<Fetched> FetchAsync(
        Plan.AssetUrl url, IReadOnlyList<Tuple<string, string>> conditions, FileStream output, long start, string finalPath, string what, long limit, CancellationToken cancel)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var readTimeout = TimeSpan.FromSeconds(limits.ReadSeconds);
        using var response = await SendFollowingRedirectsAsync(HttpMethod.Get, url, conditions, idle, readTimeout, cancel);
        var source = response.RequestMessage?.RequestUri?.AbsoluteUri ?? url.Shown;
        if (response.StatusCode == HttpStatusCode.NotModified)
        {
            return new Fetched(304, start, response.Headers.ETag?.ToString(), LastModified(response), null);
        }
        var expected = DeclaredLength(response);
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
            // read is ended by closing the body when the idle timer (or the boot) cancels; and this
            // method stops waiting for the copy at that moment, since a read blocked on a socket may
            // only notice the close when the next byte comes (a body dripping past the deadline).
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
                    idle.Token.ThrowIfCancellationRequested();
                    done += read;
                    received = done;
                    Transfer.checkSize(source, what, limit, start + done).OrFail();
                    Write(output, buffer.AsSpan(0, read), finalPath);
                    progress?.Report(what, start + done, expected is { } total ? Transfer.addSizes(start, total) : null);
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).WaitAsync(idle.Token);
        }
        catch (Exception e) when (e is ObjectDisposedException or IOException or HttpRequestException or OperationCanceledException && idle.IsCancellationRequested)
        {
            cancel.ThrowIfCancellationRequested();
            throw new BootFailure(DownloadError.NewAssetTimedOut(source, $"no data for {limits.ReadSeconds} s after {received} bytes"));
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new BootFailure(expected is { } length
                ? DownloadError.NewAssetTruncated(source, length, received)
                : DownloadError.NewAssetUnreachable(source, $"the body broke off after {received} bytes: {e.Message}"), e);
        }
        if (expected is { } total && total != received)
        {
            throw new BootFailure(DownloadError.NewAssetTruncated(source, total, received));
        }
        return new Fetched(200, start + received, response.Headers.ETag?.ToString(), LastModified(response), expected);
    }

    private static string? LastModified(HttpResponseMessage response) => response.Content.Headers.LastModified?.ToString("R");

    /// <summary>
    /// The Content-Length the answer declares (null when none); two that disagree are refused, as
    /// HTTP requires: which one the body follows is anybody's guess.
    /// </summary>
    private static long? DeclaredLength(HttpResponseMessage response)
    {
        if (response.Content.Headers.NonValidated.TryGetValues("Content-Length", out var values) && values.Count > 1
            && values.Distinct(StringComparer.Ordinal).Skip(1).Any())
        {
            throw new BootFailure(DownloadError.NewAssetAnswerInvalid(
                response.RequestMessage?.RequestUri?.AbsoluteUri ?? "", $"conflicting Content-Length headers ({string.Join(", ", values)})"));
        }
        return response.Content.Headers.ContentLength;
    }

    private async Task<HttpResponseMessage> SendFollowingRedirectsAsync(
        HttpMethod method, Plan.AssetUrl url, IReadOnlyList<Tuple<string, string>> conditions, CancellationTokenSource idle, TimeSpan readTimeout, CancellationToken cancel)
    {
        var current = url;
        for (var hop = 1; ; hop++)
        {
            HttpResponseMessage response;
            try
            {
                idle.CancelAfter(readTimeout);
                using var request = new HttpRequestMessage(method, current.Request);
                Authorize(request, current);
                foreach (var (name, value) in conditions)
                {
                    request.Headers.TryAddWithoutValidation(name, value);
                }
                response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, idle.Token);
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                throw new BootFailure(DownloadError.NewAssetTimedOut(current.Shown, $"no answer within {limits.ReadSeconds} s"));
            }
            catch (HttpRequestException e) when (e.InnerException is TimeoutException || e.InnerException is OperationCanceledException)
            {
                throw new BootFailure(DownloadError.NewAssetTimedOut(current.Shown, $"no connection within {limits.ConnectSeconds} s"), e);
            }
            catch (HttpRequestException e)
            {
                throw new BootFailure(Classify(e, current), e);
            }
            var status = (int)response.StatusCode;
            if (status is 301 or 302 or 303 or 307 or 308)
            {
                var location = response.Headers.Location?.OriginalString ?? "";
                response.Dispose();
                current = Transfer.followRedirect(current, location, hop).OrFail();
                continue;
            }
            if (response.StatusCode != HttpStatusCode.OK && !(response.StatusCode == HttpStatusCode.NotModified && conditions.Count > 0))
            {
                response.Dispose();
                throw new BootFailure(DownloadError.NewAssetStatus(current.Shown, status));
            }
            return response;
        }
    }

    /// <summary>Credentials in the URL (http://user:password@host/…) are sent as HTTP Basic, as iPXE sends them.</summary>
    private static void Authorize(HttpRequestMessage request, Plan.AssetUrl url)
    {
        if (url.Credentials.ValueOrNull() is { } credentials)
        {
            var token = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{credentials.Item1}:{credentials.Item2}"));
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", token);
        }
    }

    /// <summary>What a request that got no answer ran into: TLS, an answer that is not HTTP, or no connection.</summary>
    private Errors.BootError Classify(HttpRequestException e, Plan.AssetUrl url)
    {
        if (e.InnerException is System.Security.Authentication.AuthenticationException tls)
        {
            // Not worth a retry: the certificate will not change.
            return misnamed.TryRemove(new Uri(url.Request).IdnHost, out _)
                ? DownloadError.NewAssetNameMismatch(url.Shown, "RemoteCertificateNameMismatch")
                : DownloadError.NewAssetNotTrusted(url.Shown, tls.Message);
        }
        return e.HttpRequestError switch
        {
            HttpRequestError.InvalidResponse => DownloadError.NewAssetAnswerInvalid(url.Shown, $"something that is not an HTTP answer ({e.Message})"),
            HttpRequestError.ConfigurationLimitExceeded => DownloadError.NewAssetAnswerInvalid(url.Shown, $"response headers over the limit a client accepts ({e.Message})"),
            _ => DownloadError.NewAssetUnreachable(url.Shown, e.Message),
        };
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
