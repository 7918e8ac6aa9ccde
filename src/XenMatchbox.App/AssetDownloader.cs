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
    private const int ENOSPC = 28;
    private readonly HttpClient client;
    private readonly OutputFiles files;
    private readonly CommandLine.BootLimits limits;

    public AssetDownloader(TlsMaterial tls, OutputFiles files, CommandLine.BootLimits limits)
    {
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
    /// <paramref name="limit"/> bytes (<paramref name="what"/> names it in errors).
    /// </summary>
    public async Task DownloadAsync(IReadOnlyList<Plan.AssetUrl> urls, string finalPath, string what, long limit, CancellationToken cancel)
    {
        string writtenPath;
        await using (var output = files.Open(finalPath))
        {
            writtenPath = output.Name;
            long length = 0;
            foreach (var url in urls)
            {
                length = await FetchWithRetriesAsync(url, output, length, finalPath, what, limit, cancel);
            }
        }
        files.Complete(writtenPath, finalPath);
    }

    private async Task<long> FetchWithRetriesAsync(
        Plan.AssetUrl url, FileStream output, long start, string finalPath, string what, long limit, CancellationToken cancel)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await FetchAsync(url, output, start, finalPath, what, limit, cancel);
            }
            catch (BootFailure failure) when (attempt < Transfer.MaxAttempts && Transfer.isTransient(failure.Error))
            {
                // Start this asset again from where it began in the file.
                output.SetLength(start);
                output.Position = start;
                await Task.Delay(Transfer.backoffMilliseconds(attempt + 1), cancel);
            }
        }
    }

    private async Task<long> FetchAsync(
        Plan.AssetUrl url, FileStream output, long start, string finalPath, string what, long limit, CancellationToken cancel)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var readTimeout = TimeSpan.FromSeconds(limits.ReadSeconds);
        using var response = await GetFollowingRedirectsAsync(url, idle, readTimeout, cancel);
        var source = response.RequestMessage?.RequestUri?.AbsoluteUri ?? url.Value;

        var expected = response.Content.Headers.ContentLength;
        if (expected is { } declared)
        {
            Transfer.checkSize(source, what, limit, start + declared).OrFail();
            CheckFreeSpace(finalPath, declared);
        }
        long received = 0;
        var buffer = new byte[BufferSize];
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(idle.Token);
            while (true)
            {
                idle.CancelAfter(readTimeout);
                var read = await body.ReadAsync(buffer, idle.Token);
                if (read == 0)
                {
                    break;
                }
                received += read;
                Transfer.checkSize(source, what, limit, start + received).OrFail();
                await WriteAsync(output, buffer.AsMemory(0, read), finalPath, cancel);
            }
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
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
        return start + received;
    }

    private async Task<HttpResponseMessage> GetFollowingRedirectsAsync(
        Plan.AssetUrl url, CancellationTokenSource idle, TimeSpan readTimeout, CancellationToken cancel)
    {
        var current = url;
        for (var hop = 1; ; hop++)
        {
            HttpResponseMessage response;
            try
            {
                idle.CancelAfter(readTimeout);
                response = await client.GetAsync(current.Value, HttpCompletionOption.ResponseHeadersRead, idle.Token);
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
            if (response.StatusCode != HttpStatusCode.OK)
            {
                response.Dispose();
                throw new BootFailure(Errors.BootError.NewAssetStatus(current.Value, status));
            }
            return response;
        }
    }

    /// <summary>Refuses a download the file system cannot hold, before a byte is written.</summary>
    private static void CheckFreeSpace(string path, long needed)
    {
        long available;
        try
        {
            available = new DriveInfo(Path.GetDirectoryName(path) ?? "/").AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return;   // unknown: the write itself will tell
        }
        if (available < needed)
        {
            throw new BootFailure(Errors.BootError.NewDiskFull(path, $"{needed} bytes to write, {available} free"));
        }
    }

    private static async Task WriteAsync(FileStream output, ReadOnlyMemory<byte> data, string finalPath, CancellationToken cancel)
    {
        try
        {
            await output.WriteAsync(data, cancel);
        }
        catch (IOException e) when (e.HResult == ENOSPC || e.Message.Contains("No space left", StringComparison.Ordinal))
        {
            throw new BootFailure(Errors.BootError.NewDiskFull(finalPath, e.Message), e);
        }
        catch (IOException e)
        {
            throw new BootFailure(Errors.BootError.NewAssetWriteFailed(finalPath, e.Message), e);
        }
    }

    public void Dispose() => client.Dispose();
}
