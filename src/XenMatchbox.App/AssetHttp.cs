using System.Net;
using Microsoft.FSharp.Collections;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// The HTTP side of assets (and of /ipxe in HTTP-only mode): one connection pool; https:// trusted
/// through --ca and the system store, the host name always checked; credentials in a URL sent as
/// HTTP Basic; redirects followed one by one, each checked by the Domain's rule (under --web-ssl,
/// never from https:// to http://); every failure named for what it is.
/// </summary>
internal sealed class AssetHttp : IDisposable
{
    private readonly HttpClient client;
    private readonly CommandLine.BootLimits limits;
    private readonly TlsWitness witness = new();
    private readonly Transfer.RedirectRule redirects;

    public AssetHttp(TlsMaterial tls, CommandLine.BootLimits limits, Transfer.RedirectRule redirects)
    {
        this.limits = limits;
        this.redirects = redirects;
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(limits.ConnectSeconds),
            // Its connections keep the first bytes a server sends: an answer that is not TLS is named.
            ConnectCallback = witness.ConnectAsync,
            AutomaticDecompression = DecompressionMethods.None,
            // Redirects are followed here, one by one, so that each target is checked.
            AllowAutoRedirect = false,
            // Credentials go only where the profile's URL names them (see Authorize).
            UseCookies = false,
            PreAuthenticate = false,
            SslOptions = new SslClientAuthenticationOptions
            {
                // https:// assets: the matchbox CA for self-hosted servers, else the system's anchors
                // (read on first need; see SystemTrust). The host name check always applies. A
                // certificate refused is noted with each chain tried, for TlsFailure to name why.
                RemoteCertificateValidationCallback = (sender, certificate, sent, errors) =>
                {
                    var chains = new List<TlsFailure.Chain>();
                    var trusted = !errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors)
                        || certificate is not null && (tls.AuthoritiesFile is { } ca && Trusts(certificate, sent, $"--ca {ca}", tls.Authorities, chains)
                           || tls.WebAuthoritiesFile is { } webCa && Trusts(certificate, sent, $"--web-ca {webCa}", tls.WebAuthorities, chains)
                           || Trusts(certificate, sent, SystemStore, SystemTrust.Authorities, chains));
                    var accepted = trusted && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None;
                    if (!accepted && sender is SslStream { TargetHostName: { Length: > 0 } host })
                    {
                        // The system store first, as the operator reads them.
                        witness.Refused(host, certificate, errors, trusted ? [] : chains.OrderBy(c => c.Anchors == SystemStore ? 0 : 1));
                    }
                    return accepted;
                },
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
    public async Task<long?> SizeAsync(Plan.AssetUrl url, CancellationToken cancel) => (await HeadAsync(url, cancel)).Length;

    /// <summary>The validators and length a HEAD request gets (redirects followed), retried as any request.</summary>
    public sealed record Head(string? ETag, string? LastModified, long? Length);

    public Task<Head> HeadAsync(Plan.AssetUrl url, CancellationToken cancel) =>
        Retries.RunAsync(async () =>
        {
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            using var response = await SendAsync(HttpMethod.Head, url, [], idle, TimeSpan.FromSeconds(limits.ReadSeconds), cancel);
            return new Head(response.Headers.ETag?.ToString(), LastModified(response), DeclaredLength(response));
        }, cancel);

    /// <summary>
    /// The whole body of a small answer (a detached signature), at most <paramref name="cap"/> bytes,
    /// with redirects, retries and timeouts as for an asset; more bytes than the cap is
    /// <see cref="FileTooLargeException"/>.
    /// </summary>
    public Task<byte[]> GetSmallAsync(Plan.AssetUrl url, int cap, CancellationToken cancel) => GetAsync(url, cap, whole: true, cancel);

    /// <summary>
    /// The first <paramref name="cap"/> bytes of an answer's body (all of a shorter one), as
    /// <see cref="GetSmallAsync"/> gets them; the rest is not read, however long the answer is.
    /// </summary>
    public Task<byte[]> GetStartAsync(Plan.AssetUrl url, int cap, CancellationToken cancel) => GetAsync(url, cap, whole: false, cancel);

    private Task<byte[]> GetAsync(Plan.AssetUrl url, int cap, bool whole, CancellationToken cancel) =>
        Retries.RunAsync(async () =>
        {
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            var readTimeout = TimeSpan.FromSeconds(limits.ReadSeconds);
            using var response = await SendAsync(HttpMethod.Get, url, [], idle, readTimeout, cancel);
            if (whole && DeclaredLength(response) is > 0 and var declared && declared > cap)
            {
                throw new FileTooLargeException($"it declares {declared} bytes, over the {cap} read");
            }
            var source = response.RequestMessage?.RequestUri?.AbsoluteUri ?? url.Shown;
            try
            {
                idle.CancelAfter(readTimeout);
                await using var body = await response.Content.ReadAsStreamAsync(idle.Token);
                return await BoundedBody.ReadAsync(body, cap, whole, response.Content.Headers.ContentLength, idle.Token, () => idle.CancelAfter(readTimeout))
                    ?? throw new FileTooLargeException($"it holds more than the {cap} bytes read");
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                throw new BootFailure(DownloadError.NewAssetTimedOut(source, $"no data for {limits.ReadSeconds} s"));
            }
            catch (Exception e) when (e is HttpRequestException or IOException and not FileTooLargeException)
            {
                throw new BootFailure(DownloadError.NewAssetUnreachable(source, $"the body broke off: {e.Message}"), e);
            }
        }, cancel);

    private const string SystemStore = "the system store";

    /// <summary>
    /// Whether the certificate, with the intermediates the server sent, leads to one of the
    /// anchors; when it does not, the chain's status is added to <paramref name="chains"/> under
    /// the anchors' <paramref name="name"/> (the flag and its file, or the system store).
    /// </summary>
    private static bool Trusts(X509Certificate certificate, X509Chain? sent, string name, X509Certificate2Collection anchors, List<TlsFailure.Chain> chains)
    {
        if (anchors.Count == 0)
        {
            chains.Add(new TlsFailure.Chain(name, ListModule.OfSeq(["no CA certificates were read"])));
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
        if (chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData())))
        {
            return true;
        }
        chains.Add(new TlsFailure.Chain(name, ListModule.OfSeq(TlsWitness.Status(chain))));
        return false;
    }

    public static string? LastModified(HttpResponseMessage response) => response.Content.Headers.LastModified?.ToString("R");

    /// <summary>
    /// The Content-Length the answer declares (null when none); two that disagree are refused, as
    /// HTTP requires: which one the body follows is anybody's guess.
    /// </summary>
    public static long? DeclaredLength(HttpResponseMessage response)
    {
        if (response.Content.Headers.NonValidated.TryGetValues("Content-Length", out var values) && values.Count > 1
            && values.Distinct(StringComparer.Ordinal).Skip(1).Any())
        {
            throw new BootFailure(DownloadError.NewAssetAnswerInvalid(
                response.RequestMessage?.RequestUri?.AbsoluteUri ?? "", $"conflicting Content-Length headers ({string.Join(", ", values)})"));
        }
        return response.Content.Headers.ContentLength;
    }

    /// <summary>
    /// Sends the request, following redirects (each checked by Transfer.followRedirect); the final
    /// answer is 200, or 304 to a request with <paramref name="conditions"/>, else an error. Waiting
    /// for the answer re-arms <paramref name="idle"/> with <paramref name="readTimeout"/>.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(
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
            if (Transfer.isRedirect(status))
            {
                var location = response.Headers.Location?.OriginalString ?? "";
                response.Dispose();
                current = Transfer.followRedirect(redirects, current, location, hop).OrFail();
                continue;
            }
            if (!Transfer.isAccepted(status, conditions.Count > 0))
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
            // A certificate refused or an answer that is not TLS is not worth a retry: neither will
            // change. A handshake that broke off otherwise (a close, a reset, an alert) may pass.
            return witness.Failure(new Uri(url.Request).Host) is { } failure
                ? TlsFailure.assetError(url.Shown, failure)
                : DownloadError.NewAssetUnreachable(url.Shown, $"the TLS handshake failed: {Innermost(tls)}");
        }
        return e.HttpRequestError switch
        {
            HttpRequestError.InvalidResponse => DownloadError.NewAssetAnswerInvalid(url.Shown, $"something that is not an HTTP answer ({e.Message})"),
            HttpRequestError.ConfigurationLimitExceeded => DownloadError.NewAssetAnswerInvalid(url.Shown, $"response headers over the limit a client accepts ({e.Message})"),
            _ => DownloadError.NewAssetUnreachable(url.Shown, e.Message),
        };
    }

    /// <summary>
    /// What the client saw of <paramref name="url"/>'s server when its TLS handshake failed: the
    /// failure it shows, or null (for the HTTPS lookup, which names it as a lookup error).
    /// </summary>
    public TlsFailure.Failure? TlsFailureOf(string url) => witness.Failure(new Uri(url).Host);

    /// <summary>The innermost message under an exception: what the TLS stack itself said.</summary>
    public static string Innermost(Exception e)
    {
        while (e.InnerException is { } inner)
        {
            e = inner;
        }
        return e.Message;
    }

    public void Dispose() => client.Dispose();
}
