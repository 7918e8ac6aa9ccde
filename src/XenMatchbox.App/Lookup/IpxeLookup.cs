using System.Net;
using System.Text;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// The HTTP-only lookup: asks matchbox's read-only, unauthenticated <c>/ipxe</c> endpoint for the
/// script of the profile matching the labels and reads it back into that profile (matchbox-api.md
/// §4.5). Needs no client certificate, so it runs with the least privilege matchbox offers; the
/// answer is plain HTTP, as the <c>/assets/</c> downloads are.
/// </summary>
internal static class IpxeLookup
{

    /// <summary>
    /// GETs the route's URL (<c>http://HOST:HTTPPORT/ipxe?LABELS</c>, see Boot.route) and returns the
    /// profile its script renders, with the key that signed the answer under --lookup-key
    /// (<c>/ipxe.sig</c> from the same server, checked before a line is read) and the signature's
    /// age, within --lookup-max-age (else XMB-712: an old answer replayed); the
    /// profile's Id is "/ipxe?key=value&amp;…", since the script names none. Each try's answer, body
    /// included, must come within <paramref name="time"/>'s answer time (--connect-timeout plus
    /// --read-timeout, or the try's share of the time left; see Failover.tryTime; the client's
    /// handler bounds connecting, and follows no redirect) and be at most 1 MiB. One try at one server:
    /// Retries.AcrossServersAsync tries again (a refused or reset connection, a body cut short,
    /// HTTP 502/503/504) and moves on to the next --server. Failures are thrown as
    /// <see cref="BootFailure"/>: 404 as no matching group, other statuses as a failed lookup, a
    /// script that is not matchbox's as XMB-211.
    /// </summary>
    public static async Task<(Profile.UnvalidatedProfile Profile, Trust.Signer? Signer, Trust.Age? Age)> SelectProfileAsync(
        AssetHttp http, Boot.LookupRoute.Ipxe route, KeyRing? keys, int maxAgeSeconds, Labels.Labels labels, Limits.TryTime time, CancellationToken cancel)
    {
        // Named as an operator reads it (unescaped); the exact URL is the endpoint plus Ipxe.query.
        var source = "/ipxe?" + string.Join("&", Labels.toPairs(labels).Select(pair => $"{pair.Item1}={pair.Item2}"));
        var body = await FetchAsync(http, route.url, route.endpoint, labels, time, cancel);
        // Under --lookup-key, not a line is read before the exact bytes received are verified.
        var (signer, age) = keys is null ? (null, null) : await VerifyAsync(http, route, keys, maxAgeSeconds, body, cancel);
        // Read as bytes: what is not UTF-8 is not matchbox's (the Domain names the line).
        return (Ipxe.read(source, body).OrFail(), signer, age);
    }

    /// <summary>
    /// Checks the body against <c>/ipxe.sig</c> with the same query (matchbox signs what the same
    /// labels render, in text mode), then the signature's age against --lookup-max-age, since
    /// matchbox signs each answer as it renders it; any failure is a <see cref="BootFailure"/> (XMB-70x).
    /// </summary>
    private static async Task<(Trust.Signer, Trust.Age)> VerifyAsync(
        AssetHttp http, Boot.LookupRoute.Ipxe route, KeyRing keys, int maxAgeSeconds, byte[] body, CancellationToken cancel)
    {
        var at = Boot.lookupSignature(route).ValueOrNull() ?? throw new InvalidOperationException("an /ipxe route has a signature URL");
        var signed = Signed.NewLookup(route.url);
        using var check = await SignatureFetch.PrepareAsync(http, signed, at, keys, cancel);
        check.Update(body);
        var signer = check.Finish();
        // The bytes are matchbox's: whether they are today's is the age rule's.
        return (signer, Trust.checkAge(DateTimeOffset.UtcNow, maxAgeSeconds, signed, signer, check.Created).OrFail());
    }

    /// <summary>One try: the body of a 200 answer, as received, or a <see cref="BootFailure"/>.</summary>
    private static async Task<byte[]> FetchAsync(
        AssetHttp http, string url, string endpoint, Labels.Labels labels, Limits.TryTime time, CancellationToken cancel)
    {
        var client = http.Client;
        var within = Limits.within(time, time.AnswerMilliseconds);
        using var answer = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        answer.CancelAfter(TimeSpan.FromMilliseconds(time.AnswerMilliseconds));
        HttpResponseMessage response;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, answer.Token);
        }
        catch (Exception e) when (e is HttpRequestException || e is OperationCanceledException && !cancel.IsCancellationRequested)
        {
            throw new BootFailure(http.Failure(HttpFailure.Target.NewIpxe(endpoint), time, url, e), e);
        }
        using (response)
        {
            var status = (int)response.StatusCode;
            if (!Ipxe.isScript(status))
            {
                var detail = await ReadErrorBodyAsync(response, answer.Token);
                // A redirect is never followed (the client's handler follows none): the Domain names it.
                throw new BootFailure(Ipxe.statusError(endpoint, labels, status, response.Headers.Location?.OriginalString.AsOption(), detail));
            }
            if (response.Content.Headers.ContentLength is > Ipxe.MaxAnswerBytes)
            {
                throw new BootFailure(TooLarge(endpoint, $"declares {response.Content.Headers.ContentLength} bytes"));
            }
            var received = 0;
            try
            {
                await using var body = await response.Content.ReadAsStreamAsync(answer.Token);
                return await BoundedBody.ReadAsync(
                        body, Ipxe.MaxAnswerBytes, whole: true, response.Content.Headers.ContentLength, answer.Token, received: count => received = count)
                    ?? throw new BootFailure(TooLarge(endpoint, $"sent more than {Ipxe.MaxAnswerBytes} bytes"));
            }
            catch (OperationCanceledException e) when (!cancel.IsCancellationRequested)
            {
                throw new BootFailure(LookupError.NewServerTimedOut(Endpoint.NewIpxe(endpoint), $"the answer was not complete within {within} ({received} bytes)"), e);
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                throw new BootFailure(LookupError.NewServerUnreachable(Endpoint.NewIpxe(endpoint), $"the answer broke off after {received} bytes: {e.Message}"), e);
            }
        }
    }

    private static Errors.BootError TooLarge(string endpoint, string what) =>
        LookupError.NewLookupFailed(Endpoint.NewIpxe(endpoint), LookupStatus.NewHttp(200),
            $"the answer {what}; an iPXE script from matchbox is a few hundred bytes, and at most {Ipxe.MaxAnswerBytes} are read");

    /// <summary>The start of an error answer's body, for its first line; whatever cannot be read is left out.</summary>
    private static async Task<string> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken token)
    {
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(token);
            return Encoding.UTF8.GetString((await BoundedBody.ReadAsync(body, Limits.MaxErrorBodyBytes, whole: false, null, token))!);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            return "";
        }
    }
}
