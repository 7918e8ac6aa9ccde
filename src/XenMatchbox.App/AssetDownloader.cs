using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// Streams kernel and initrds to disk: never whole in memory, status and Content-Length checked,
/// written under a temporary name and renamed only when complete.
/// </summary>
internal sealed class AssetDownloader : IDisposable
{
    private const int BufferSize = 1 << 20;
    private readonly HttpClient client;
    private readonly RunFiles files;

    public AssetDownloader(TlsMaterial tls, RunFiles files)
    {
        this.files = files;
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(10),
            AutomaticDecompression = DecompressionMethods.None,
            SslOptions = new SslClientAuthenticationOptions
            {
                // https:// assets: the system store, plus the matchbox CA for self-hosted servers.
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                    errors == SslPolicyErrors.None || TrustedByMatchboxCa(certificate, errors, tls.Authorities),
            },
        };
        client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    private static bool TrustedByMatchboxCa(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection authorities)
    {
        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null)
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    }

    /// <summary>Downloads the URLs, in order, one after the other into one file at <paramref name="finalPath"/>.</summary>
    public async Task DownloadAsync(IReadOnlyList<string> urls, string finalPath, CancellationToken cancel)
    {
        string temporaryPath;
        await using (var output = files.CreateTemporary(finalPath))
        {
            temporaryPath = output.Name;
            foreach (var url in urls)
            {
                await AppendAsync(url, output, finalPath, cancel);
            }
            try
            {
                await output.FlushAsync(cancel);
            }
            catch (IOException e)
            {
                throw new BootFailure(Errors.BootError.NewAssetWriteFailed(finalPath, e.Message), e);
            }
        }
        files.Commit(temporaryPath, finalPath);
    }

    private async Task AppendAsync(string url, FileStream output, string finalPath, CancellationToken cancel)
    {
        HttpResponseMessage response;
        try
        {
            response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancel);
        }
        catch (HttpRequestException e)
        {
            throw new BootFailure(Errors.BootError.NewAssetUnreachable(url, e.Message), e);
        }
        using (response)
        {
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new BootFailure(Errors.BootError.NewAssetStatus(url, (int)response.StatusCode));
            }
            var expected = response.Content.Headers.ContentLength;
            long received = 0;
            var buffer = new byte[BufferSize];
            try
            {
                await using var body = await response.Content.ReadAsStreamAsync(cancel);
                int read;
                while ((read = await body.ReadAsync(buffer, cancel)) > 0)
                {
                    await Write(output, buffer.AsMemory(0, read), finalPath, cancel);
                    received += read;
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                throw new BootFailure(expected is { } declared
                    ? Errors.BootError.NewAssetTruncated(url, declared, received)
                    : Errors.BootError.NewAssetUnreachable(url, $"the body broke off after {received} bytes: {e.Message}"), e);
            }
            if (expected is { } length && length != received)
            {
                throw new BootFailure(Errors.BootError.NewAssetTruncated(url, length, received));
            }
        }
    }

    private static async Task Write(FileStream output, ReadOnlyMemory<byte> data, string finalPath, CancellationToken cancel)
    {
        try
        {
            await output.WriteAsync(data, cancel);
        }
        catch (IOException e)
        {
            throw new BootFailure(Errors.BootError.NewAssetWriteFailed(finalPath, e.Message), e);
        }
    }

    public void Dispose() => client.Dispose();
}
