using System.Net;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;
using System.Net.Security;
using System.Security.Authentication;
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
    private readonly Limits.TryTime time;
    private readonly TlsWitness witness = new();
    private readonly Transfer.RedirectRule redirects;

    public AssetHttp(TlsMaterial tls, CommandLine.BootLimits limits, Transfer.RedirectRule redirects)
    {
        this.limits = limits;
        time = Limits.requestTime(limits.ConnectSeconds, limits.ReadSeconds);
        this.redirects = redirects;
        var anchors = TlsFailure.trustedAnchors(TlsFailure.Connection.Https, tls.AuthoritiesFile.AsOption(), tls.WebAuthoritiesFile.AsOption());
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromMilliseconds(time.ConnectMilliseconds),
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
                // https:// assets: the anchors the Domain trusts for HTTPS, tried in its order (the
                // system's read on first need; see SystemTrust). The host name check always applies.
                // A certificate refused is noted with each chain tried, for TlsFailure to name why.
                RemoteCertificateValidationCallback = (sender, certificate, sent, errors) =>
                {
                    var chains = new List<TlsFailure.Chain>();
                    var trusted = !errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors)
                        || certificate is not null && LeadsToAny(certificate, sent, tls, anchors, chains);
                    var accepted = trusted && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None;
                    if (!accepted && sender is SslStream { TargetHostName: { Length: > 0 } host })
                    {
                        witness.Refused(host, certificate, errors, trusted ? [] : TlsFailure.readingOrder(ListModule.OfSeq(chains)));
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
    public async Task<long?> SizeAsync(Profile.AssetUrl url, CancellationToken cancel) => (await HeadAsync(url, cancel)).Length;

    /// <summary>The validators and length a HEAD request gets (redirects followed), retried as any request.</summary>
    public sealed record Head(string? ETag, string? LastModified, long? Length);

    public Task<Head> HeadAsync(Profile.AssetUrl url, CancellationToken cancel) =>
        Retries.RunAsync(async () =>
        {
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            using var response = await SendAsync(HttpMethod.Head, url, [], idle, TimeSpan.FromMilliseconds(time.AnswerMilliseconds), cancel);
            return new Head(response.Headers.ETag?.ToString(), LastModified(response), DeclaredLength(response));
        }, cancel);

    /// <summary>
    /// The whole body of a small answer (a detached signature), at most <paramref name="cap"/> bytes,
    /// with redirects, retries and timeouts as for an asset; more bytes than the cap is
    /// <see cref="FileTooLargeException"/>.
    /// </summary>
    public Task<byte[]> GetSmallAsync(Profile.AssetUrl url, int cap, CancellationToken cancel) => GetAsync(url, cap, whole: true, cancel);

    /// <summary>
    /// The first <paramref name="cap"/> bytes of an answer's body (all of a shorter one), as
    /// <see cref="GetSmallAsync"/> gets them; the rest is not read, however long the answer is.
    /// </summary>
    public Task<byte[]> GetStartAsync(Profile.AssetUrl url, int cap, CancellationToken cancel) => GetAsync(url, cap, whole: false, cancel);

    private Task<byte[]> GetAsync(Profile.AssetUrl url, int cap, bool whole, CancellationToken cancel) =>
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

    /// <summary>
    /// Whether the certificate, with the intermediates the server sent, leads to one of the
    /// anchors, tried in order until one does; each chain that does not is added to <paramref name="chains"/>.
    /// </summary>
    private static bool LeadsToAny(
        X509Certificate certificate, X509Chain? sent, TlsMaterial tls, FSharpList<TlsFailure.Anchors> anchors, List<TlsFailure.Chain> chains)
    {
        foreach (var set in anchors)
        {
            if (CustomRoots.Refusal(certificate, tls.Anchors(set), TlsFailure.anchorsName(set), sent) is not { } refused)
            {
                return true;
            }
            chains.Add(refused);
        }
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
        HttpMethod method, Profile.AssetUrl url, IReadOnlyList<Tuple<string, string>> conditions, CancellationTokenSource idle, TimeSpan readTimeout, CancellationToken cancel)
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
            catch (Exception e) when (e is HttpRequestException || e is OperationCanceledException && !cancel.IsCancellationRequested)
            {
                throw new BootFailure(Failure(HttpFailure.Target.NewAsset(current.Shown), time, current.Request, e), e);
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
    private static void Authorize(HttpRequestMessage request, Profile.AssetUrl url)
    {
        if (url.Credentials.ValueOrNull() is { } credentials)
        {
            var token = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{credentials.Item1}:{credentials.Item2}"));
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", token);
        }
    }

    /// <summary>
    /// The error of a request to <paramref name="url"/> that got no answer, <paramref name="e"/> being
    /// what the client threw: the facts, named by <see cref="HttpFailure.classify"/> for
    /// <paramref name="target"/> within <paramref name="time"/>. The witness is asked about the
    /// host's TLS only when a handshake failed: asking takes its note, which another request to that
    /// host may be about to need.
    /// </summary>
    public Errors.BootError Failure(HttpFailure.Target target, Limits.TryTime time, string url, Exception e) =>
        HttpFailure.classify(target, time, new HttpFailure.Facts(
            ExceptionChain.Causes(e),
            e is HttpRequestException request ? request.HttpRequestError.ToString().AsOption() : FSharpOption<string>.None,
            e.InnerException is AuthenticationException ? witness.Facts(new Uri(url).Host).AsOption() : FSharpOption<TlsFailure.Facts>.None));

    public void Dispose() => client.Dispose();
}
