using System.Net;
using System.Security.Cryptography;
using XenMatchbox.TestServer;
using static XenMatchbox.IntegrationTests.FailureTests;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// https:// assets are verified against the system store plus the CA given with --ca, so a
/// self-hosted matchbox with its own CA can serve them; any other certificate is refused.
/// </summary>
public sealed class HttpsAssetTests : IAsyncLifetime
{
    private readonly string assets = Directory.CreateTempSubdirectory("xmb-https-assets-").FullName;
    private readonly byte[] kernel = RandomNumberGenerator.GetBytes(200_000);
    private MatchboxTestServer matchbox = null!;
    private MatchboxTestServer stranger = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllBytesAsync(Path.Combine(assets, "vmlinuz"), kernel);
        var https = new IPEndPoint(IPAddress.Loopback, 0);
        matchbox = await MatchboxTestServer.StartAsync(new MatchboxTestServerOptions { AssetsPath = assets, HttpsEndPoint = https });
        // Another server with a PKI of its own: its certificate chains to no CA the client trusts.
        stranger = await MatchboxTestServer.StartAsync(new MatchboxTestServerOptions { AssetsPath = assets, HttpsEndPoint = https });
        matchbox.Store = new FixedStore(
            [
                new MatchboxGroup { Id = "ours", Profile = "ours", Selector = new Dictionary<string, string> { ["case"] = "ours" } },
                new MatchboxGroup { Id = "stranger", Profile = "stranger", Selector = new Dictionary<string, string> { ["case"] = "stranger" } },
            ],
            [
                new MatchboxProfile { Id = "ours", Boot = new MatchboxBoot { Kernel = $"https://127.0.0.1:{matchbox.HttpsEndPoint!.Port}/assets/vmlinuz" } },
                new MatchboxProfile { Id = "stranger", Boot = new MatchboxBoot { Kernel = $"https://127.0.0.1:{stranger.HttpsEndPoint!.Port}/assets/vmlinuz" } },
            ]);
    }

    private List<string> Args(string lookup)
    {
        var files = matchbox.CertificateFiles!;
        return
        [
            "--server", "127.0.0.1", "--httpport", matchbox.HttpPort.ToString(), "--grpcport", matchbox.GrpcPort.ToString(),
            "--ca", files.CaFile, "--cert", files.ClientCertFile, "--key", files.ClientKeyFile, "--lookup", lookup,
        ];
    }

    [Fact]
    public async Task An_https_asset_signed_by_the_matchbox_CA_is_trusted()
    {
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(Args("case=ours"));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.True(kernel.AsSpan().SequenceEqual(File.ReadAllBytes(outcome.Result.Kernel!)));
    }

    [Fact]
    public async Task An_https_asset_with_a_certificate_nobody_vouches_for_is_refused()
    {
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(Args("case=stranger"));

        AssertFailed(outcome, 5, "XMB-410", $"is not trusted: it is issued by CN=fake-ca, and neither the system store nor --ca {matchbox.CertificateFiles!.CaFile} vouches for it");
        Assert.Equal(0, stranger.Counters.Requests("/assets/vmlinuz"));
    }

    [Fact]
    public async Task An_https_asset_signed_by_a_CA_of_the_system_store_is_trusted()
    {
        using var run = new LibxlRun();
        // The system store, as OpenSSL's variable names it, holds the stranger's CA.
        var system = new Dictionary<string, string> { ["SSL_CERT_FILE"] = stranger.CertificateFiles!.CaFile };

        var outcome = await run.RunAsync([.. run.LibxlFlags(), .. Args("case=stranger"), run.DiskPath], environment: system);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.True(kernel.AsSpan().SequenceEqual(File.ReadAllBytes(outcome.Result.Kernel!)));
    }

    public async Task DisposeAsync()
    {
        await matchbox.DisposeAsync();
        await stranger.DisposeAsync();
        Directory.Delete(assets, recursive: true);
    }
}
