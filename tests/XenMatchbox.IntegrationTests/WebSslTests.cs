using System.Net;
using System.Security.Cryptography;
using XenMatchbox.TestServer;
using static XenMatchbox.IntegrationTests.FailureTests;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// --web-ssl: matchbox's HTTP API (/ipxe and /assets/…) over https://, as matchbox's -web-ssl
/// serves it, trusted through --ca, --web-ca or the system store, and refused otherwise; a redirect
/// from https:// back to plain http:// is never followed under it.
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
        Assert.Contains($"kernel:   https://127.0.0.1:{port}/assets/vmlinuz ({IecSize.Of(kernel.Length)})", outcome.Stdout);
    }

    /// <summary>The HTTPS listener's URL of a path, and the HTTP listener's.</summary>
    private string Https(string path) => $"https://127.0.0.1:{matchbox.HttpsEndPoint!.Port}{path}";

    private string Http(string path) => $"http://127.0.0.1:{matchbox.HttpPort}{path}";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_https_asset_redirected_to_plain_http_is_refused_with_XMB_414_naming_both_URLs(bool dryRun)
    {
        // The HTTPS listener sends the kernel's path to the HTTP listener, which would serve it.
        matchbox.Faults.Set("/assets/vmlinuz", AssetFault.Redirect(Http("/assets/vmlinuz")), httpsOnly: true);
        using var run = new LibxlRun();
        var before = matchbox.Counters.Requests("/assets/vmlinuz");

        var outcome = dryRun
            ? await run.RunAsync(["show", .. Args("--ca", matchbox.CertificateFiles!.CaFile)])
            : await run.BootAsync(Args("--ca", matchbox.CertificateFiles!.CaFile));

        Assert.True(outcome.ExitCode == 5, outcome.ToString());
        Assert.StartsWith("xenmatchbox: XMB-414: ", outcome.ErrorLine);
        Assert.Contains(Https("/assets/vmlinuz"), outcome.ErrorLine);
        Assert.Contains(Http("/assets/vmlinuz"), outcome.ErrorLine);
        Assert.Contains("--web-ssl", outcome.ErrorLine);
        Assert.Empty(outcome.DirectoryEntries);
        // Asked over https only: the plain http:// URL was never requested.
        Assert.Equal(before + 1, matchbox.Counters.Requests("/assets/vmlinuz"));
    }

    [Fact]
    public async Task An_https_asset_redirected_to_another_https_URL_is_still_followed()
    {
        await File.WriteAllBytesAsync(Path.Combine(assets, "moved"), kernel);
        matchbox.Faults.Set("/assets/vmlinuz", AssetFault.Redirect(Https("/assets/moved")), httpsOnly: true);
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(Args("--ca", matchbox.CertificateFiles!.CaFile));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.True(kernel.AsSpan().SequenceEqual(File.ReadAllBytes(outcome.Result.Kernel!)));
    }

    [Fact]
    public async Task An_https_lookup_redirected_to_plain_http_is_a_lookup_failure_naming_both_URLs()
    {
        // matchbox never redirects /ipxe; this is a proxy's or someone else's doing.
        matchbox.Faults.Set("/ipxe", AssetFault.Redirect(Http("/ipxe?case=web")), httpsOnly: true);
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(Args("--ca", matchbox.CertificateFiles!.CaFile));

        AssertFailed(outcome, 3, "XMB-203", Https("/ipxe"));
        Assert.Contains(Http("/ipxe?case=web"), outcome.ErrorLine);
        Assert.Contains("--web-ssl", outcome.ErrorLine);
        Assert.Equal(0, matchbox.Counters.Requests("/assets/vmlinuz"));
    }

    public async Task DisposeAsync()
    {
        await matchbox.DisposeAsync();
        Directory.Delete(assets, recursive: true);
    }
}
