using System.Net;
using System.Security.Cryptography;
using XenMatchbox.TestServer;
using static XenMatchbox.IntegrationTests.FailureTests;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// --web-ssl: matchbox's HTTP API (/ipxe and /assets/…) over https://, as matchbox's -web-ssl
/// serves it, trusted through --ca, --web-ca or the system store, and refused otherwise.
/// </summary>
public sealed class WebSslTests : IAsyncLifetime
{
    private readonly string assets = Directory.CreateTempSubdirectory("xmb-web-ssl-").FullName;
    private readonly byte[] kernel = RandomNumberGenerator.GetBytes(300_000);
    private MatchboxTestServer matchbox = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllBytesAsync(Path.Combine(assets, "vmlinuz"), kernel);
        matchbox = await MatchboxTestServer.StartAsync(new MatchboxTestServerOptions
        {
            AssetsPath = assets,
            HttpsEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
        });
        matchbox.Store = new FixedStore(
            [new MatchboxGroup { Id = "web", Profile = "web", Selector = MatchboxFixture.Case("web") }],
            [new MatchboxProfile { Id = "web", Boot = new MatchboxBoot { Kernel = "/assets/vmlinuz", Args = ["console=hvc0"] } }]);
    }

    /// <summary>HTTP-only bootloader_args against the HTTPS listener, with <paramref name="trust"/> added.</summary>
    private List<string> Args(params string[] trust) =>
        ["--server", "127.0.0.1", "--httpport", matchbox.HttpsEndPoint!.Port.ToString(), "--web-ssl", "--lookup", "case=web", .. trust];

    [Theory]
    [InlineData("--ca")]
    [InlineData("--web-ca")]
    public async Task The_lookup_and_the_assets_go_over_https_trusted_through_the_CA_given(string flag)
    {
        using var run = new LibxlRun();
        var before = matchbox.Counters.Requests("/assets/vmlinuz");

        var outcome = await run.BootAsync(Args(flag, matchbox.CertificateFiles!.CaFile));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.True(kernel.AsSpan().SequenceEqual(File.ReadAllBytes(outcome.Result.Kernel!)));
        Assert.Contains($"profile /ipxe?case=web matches case=web", outcome.Stderr);
        Assert.Equal(before + 1, matchbox.Counters.Requests("/assets/vmlinuz"));
    }

    [Fact]
    public async Task An_https_matchbox_nobody_vouches_for_is_refused_before_any_asset()
    {
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(Args());

        AssertFailed(outcome, 3, "XMB-205", $"https://127.0.0.1:{matchbox.HttpsEndPoint!.Port}/ipxe");
        Assert.Equal(0, matchbox.Counters.Requests("/assets/vmlinuz"));
    }

    [Fact]
    public async Task Show_names_the_https_lookup_and_assets()
    {
        using var run = new LibxlRun();

        var outcome = await run.RunAsync(["show", .. Args("--web-ca", matchbox.CertificateFiles!.CaFile)]);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var port = matchbox.HttpsEndPoint!.Port;
        Assert.Contains($"lookup:   HTTP https://127.0.0.1:{port}/ipxe?case=web", outcome.Stdout);
        Assert.Contains($"kernel:   https://127.0.0.1:{port}/assets/vmlinuz ({kernel.Length} bytes)", outcome.Stdout);
    }

    public async Task DisposeAsync()
    {
        await matchbox.DisposeAsync();
        Directory.Delete(assets, recursive: true);
    }
}
