using System.Net;
using System.Security.Cryptography;
using XenMatchbox.TestServer;
using static XenMatchbox.IntegrationTests.FailureTests;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// A server certificate refused for one reason, on each road to a server: the gRPC lookup, the
/// HTTPS lookup (--web-ssl) and an https:// asset. Each failure says which: a chain no CA given
/// vouches for names the certificate's issuer; a certificate for other names names them and the
/// host asked for; one outside its dates names them; a port that answers without TLS says what
/// answered. Chain first, then name, then dates. The servers share one CA (the one the client
/// trusts) and differ only in their server certificates.
/// </summary>
public sealed class ServerCertificateTests : IAsyncLifetime
{
    private readonly string directory = Directory.CreateTempSubdirectory("xmb-server-certificates-").FullName;
    private readonly byte[] kernel = RandomNumberGenerator.GetBytes(100_000);
    private readonly TestCertificates pki = TestCertificates.Create();
    private readonly TestCertificates stranger = TestCertificates.Create();
    private CertificateFiles files = null!;
    private MatchboxTestServer good = null!;
    private MatchboxTestServer expired = null!;
    private MatchboxTestServer misnamed = null!;
    private MatchboxTestServer misnamedExpired = null!;

    public async Task InitializeAsync()
    {
        var assets = Directory.CreateDirectory(Path.Combine(directory, "assets")).FullName;
        await File.WriteAllBytesAsync(Path.Combine(assets, "vmlinuz"), kernel);
        files = pki.WriteTo(Path.Combine(directory, "pki"));
        var https = new IPEndPoint(IPAddress.Loopback, 0);
        good = await MatchboxTestServer.StartAsync(new MatchboxTestServerOptions { Certificates = pki, AssetsPath = assets, HttpsEndPoint = https });
        async Task<MatchboxTestServer> Serving(string name, System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
        {
            using (certificate)
            {
                var tls = pki.WriteServerTo(certificate, Path.Combine(directory, name));
                return await MatchboxTestServer.StartAsync(new MatchboxTestServerOptions { TlsFiles = tls, AssetsPath = assets, HttpsEndPoint = https });
            }
        }
        var now = DateTimeOffset.UtcNow;
        expired = await Serving("expired", pki.IssueExpiredServer(TestCertificates.LoopbackNames));
        misnamed = await Serving("misnamed", pki.IssueServer(["matchbox.invalid", "10.9.8.7"], now.AddHours(-1), now.AddYears(1)));
        misnamedExpired = await Serving("misnamed-expired", pki.IssueExpiredServer(["matchbox.invalid"]));
        MatchboxGroup Group(string id) => new() { Id = id, Profile = id, Selector = MatchboxFixture.Case(id) };
        MatchboxProfile Profile(string id, string kernelUrl) => new() { Id = id, Boot = new MatchboxBoot { Kernel = kernelUrl } };
        good.Store = new FixedStore(
            [Group("expired"), Group("misnamed"), Group("misnamed-expired"), Group("plain")],
            [
                Profile("expired", $"https://127.0.0.1:{expired.HttpsEndPoint!.Port}/assets/vmlinuz"),
                Profile("misnamed", $"https://127.0.0.1:{misnamed.HttpsEndPoint!.Port}/assets/vmlinuz"),
                Profile("misnamed-expired", $"https://127.0.0.1:{misnamedExpired.HttpsEndPoint!.Port}/assets/vmlinuz"),
                Profile("plain", $"https://127.0.0.1:{good.HttpPort}/assets/vmlinuz"),
            ]);
    }

    /// <summary>A gRPC lookup at <paramref name="grpcPort"/>, trusting <paramref name="ca"/> (the servers' CA by default).</summary>
    private async Task<BootOutcome> GrpcBootAsync(int grpcPort, string? ca = null, string lookup = "case=x")
    {
        using var run = new LibxlRun();
        return await run.BootAsync(
        [
            "--server", "127.0.0.1", "--httpport", good.HttpPort.ToString(), "--grpcport", grpcPort.ToString(),
            "--ca", ca ?? files.CaFile, "--cert", files.ClientCertFile, "--key", files.ClientKeyFile, "--lookup", lookup,
        ]);
    }

    /// <summary>An HTTPS lookup (--web-ssl) at <paramref name="httpsPort"/>, trusting the servers' CA with --web-ca.</summary>
    private static async Task<BootOutcome> WebSslBootAsync(int httpsPort, string ca)
    {
        using var run = new LibxlRun();
        return await run.BootAsync(["--server", "127.0.0.1", "--httpport", httpsPort.ToString(), "--web-ssl", "--web-ca", ca, "--lookup", "case=x"]);
    }

    private string StrangerCa
    {
        get
        {
            var path = Path.Combine(directory, "stranger-ca.crt");
            if (!File.Exists(path)) File.Copy(stranger.WriteTo(Path.Combine(directory, "stranger")).CaFile, path);
            return path;
        }
    }

    [Fact]
    public async Task Over_gRPC_a_certificate_from_an_unknown_CA_that_also_lacks_the_name_is_the_chain_XMB_205_naming_its_issuer()
    {
        var outcome = await GrpcBootAsync(misnamedExpired.GrpcPort, ca: StrangerCa);

        AssertFailed(outcome, 3, "XMB-205", $"the certificate of 127.0.0.1:{misnamedExpired.GrpcPort} is not trusted: it is issued by CN=fake-ca, and --ca {StrangerCa} does not vouch for it");
    }

    [Fact]
    public async Task Over_gRPC_a_trusted_certificate_for_other_names_is_XMB_206_naming_them_and_the_host_asked_for()
    {
        var outcome = await GrpcBootAsync(misnamed.GrpcPort);

        AssertFailed(outcome, 3, "XMB-206", $"the certificate of 127.0.0.1:{misnamed.GrpcPort} does not name that host: it names DNS matchbox.invalid, IP 10.9.8.7, not 127.0.0.1");
    }

    [Fact]
    public async Task Over_gRPC_an_expired_certificate_for_other_names_is_the_name_first()
    {
        var outcome = await GrpcBootAsync(misnamedExpired.GrpcPort);

        AssertFailed(outcome, 3, "XMB-206", "it names DNS matchbox.invalid, not 127.0.0.1");
    }

    [Fact]
    public async Task Over_gRPC_an_expired_certificate_is_XMB_214_naming_its_dates()
    {
        var outcome = await GrpcBootAsync(expired.GrpcPort);

        AssertFailed(outcome, 3, "XMB-214", $"the certificate of 127.0.0.1:{expired.GrpcPort} is outside its validity dates: it expired on {DateTime.UtcNow.AddDays(-1):yyyy-MM-dd}");
        Assert.Contains("dom0's clock says", outcome.ErrorLine);
    }

    [Fact]
    public async Task Over_gRPC_a_port_that_answers_HTTP_says_what_answered()
    {
        var outcome = await GrpcBootAsync(good.HttpPort);

        AssertFailed(outcome, 3, "XMB-203", "the port does not speak TLS: an HTTP server answered \"HTTP/1.1 400 Bad Request\"");
    }

    [Fact]
    public async Task With_web_ssl_an_expired_certificate_is_XMB_214()
    {
        var outcome = await WebSslBootAsync(expired.HttpsEndPoint!.Port, files.CaFile);

        AssertFailed(outcome, 3, "XMB-214", $"https://127.0.0.1:{expired.HttpsEndPoint.Port}/ipxe");
        Assert.Contains($"it expired on {DateTime.UtcNow.AddDays(-1):yyyy-MM-dd}", outcome.ErrorLine);
    }

    [Fact]
    public async Task With_web_ssl_a_certificate_for_other_names_is_XMB_206_naming_them()
    {
        var outcome = await WebSslBootAsync(misnamed.HttpsEndPoint!.Port, files.CaFile);

        AssertFailed(outcome, 3, "XMB-206", "it names DNS matchbox.invalid, IP 10.9.8.7, not 127.0.0.1");
    }

    [Fact]
    public async Task With_web_ssl_a_certificate_nobody_vouches_for_is_XMB_205_naming_its_issuer_and_the_CAs_tried()
    {
        var outcome = await WebSslBootAsync(good.HttpsEndPoint!.Port, StrangerCa);

        AssertFailed(outcome, 3, "XMB-205", $"it is issued by CN=fake-ca, and neither the system store nor --web-ca {StrangerCa} vouches for it");
    }

    [Fact]
    public async Task With_web_ssl_a_port_that_answers_plain_HTTP_says_so()
    {
        var outcome = await WebSslBootAsync(good.HttpPort, files.CaFile);

        AssertFailed(outcome, 3, "XMB-203", "the port does not speak TLS: an HTTP server answered \"HTTP/1.1 400 Bad Request\"");
    }

    [Fact]
    public async Task An_https_asset_with_an_expired_certificate_is_XMB_410_naming_its_dates()
    {
        var outcome = await GrpcBootAsync(good.GrpcPort, lookup: "case=expired");

        AssertFailed(outcome, 5, "XMB-410", $"is not trusted: it expired on {DateTime.UtcNow.AddDays(-1):yyyy-MM-dd}");
    }

    [Fact]
    public async Task An_https_asset_with_a_certificate_for_other_names_is_XMB_412_naming_them()
    {
        var outcome = await GrpcBootAsync(good.GrpcPort, lookup: "case=misnamed");

        AssertFailed(outcome, 5, "XMB-412", "it names DNS matchbox.invalid, IP 10.9.8.7, not 127.0.0.1");
    }

    [Fact]
    public async Task An_https_asset_with_an_expired_certificate_for_other_names_is_the_name_first()
    {
        var outcome = await GrpcBootAsync(good.GrpcPort, lookup: "case=misnamed-expired");

        AssertFailed(outcome, 5, "XMB-412", "it names DNS matchbox.invalid, not 127.0.0.1");
    }

    [Fact]
    public async Task An_https_asset_on_a_port_without_TLS_is_XMB_413_saying_what_answered()
    {
        var outcome = await GrpcBootAsync(good.GrpcPort, lookup: "case=plain");

        AssertFailed(outcome, 5, "XMB-413", "no TLS: an HTTP server answered \"HTTP/1.1 400 Bad Request\"");
    }

    public async Task DisposeAsync()
    {
        foreach (var server in new[] { good, expired, misnamed, misnamedExpired })
        {
            if (server is not null) await server.DisposeAsync();
        }
        pki.Dispose();
        stranger.Dispose();
        Directory.Delete(directory, recursive: true);
    }
}
