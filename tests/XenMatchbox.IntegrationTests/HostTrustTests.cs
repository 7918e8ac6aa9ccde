using System.Security.Cryptography;
using XenMatchbox.TestServer;
using static XenMatchbox.IntegrationTests.FailureTests;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// The host's trust settings are a floor: what the host's configuration file (or a XENMATCHBOX_*
/// variable: xl's environment is the host's) sets for verify-assets, asset-key, lookup-key and
/// lookup-max-age, a domU's bootloader_args may tighten but never weaken. Weakening is XMB-119,
/// exit 2, before anything is looked up or written, naming the flag and the host's file and line.
/// </summary>
public sealed class HostTrustTests : IClassFixture<GnuPgKeys>, IAsyncLifetime
{
    private readonly GnuPgKeys keys;
    private readonly string assets = Directory.CreateTempSubdirectory("xmb-host-trust-").FullName;
    private readonly byte[] kernel = RandomNumberGenerator.GetBytes(100_000);
    private readonly byte[] initrd = RandomNumberGenerator.GetBytes(50_000);
    private MatchboxTestServer matchbox = null!;

    public HostTrustTests(GnuPgKeys keys) => this.keys = keys;

    public async Task InitializeAsync()
    {
        await File.WriteAllBytesAsync(Path.Combine(assets, "vmlinuz"), kernel);
        await File.WriteAllBytesAsync(Path.Combine(assets, "initrd.img"), initrd);
        keys.SignFile("good", Path.Combine(assets, "vmlinuz"));
        keys.SignFile("good", Path.Combine(assets, "initrd.img"));
        matchbox = await MatchboxTestServer.StartAsync(new MatchboxTestServerOptions
        {
            AssetsPath = assets,
            GrpcEndPoint = null,
            IpxeSigner = keys.Signer("good"),
        });
        matchbox.Store = new FixedStore(
            [new MatchboxGroup { Id = "floor", Profile = "floor", Selector = MatchboxFixture.Case("floor") }],
            [new MatchboxProfile { Id = "floor", Boot = new MatchboxBoot { Kernel = "/assets/vmlinuz", Initrd = ["/assets/initrd.img"], Args = ["console=hvc0"] } }]);
    }

    public async Task DisposeAsync()
    {
        await matchbox.DisposeAsync();
        Directory.Delete(assets, recursive: true);
    }

    private string Good => keys.Export("good");

    private string Other => keys.Export("other");

    /// <summary>The host's configuration file: the server on lines 1 and 2, then <paramref name="lines"/> from line 3.</summary>
    private string HostFile(LibxlRun run, params string[] lines)
    {
        var path = Path.Combine(run.XenLibDir, "xenmatchbox.conf");
        File.WriteAllLines(path, ["server = 127.0.0.1", $"httpport = {matchbox.HttpEndPoint.Port}", .. lines]);
        return path;
    }

    /// <summary>A boot as xl runs it: the host's file named in xl's environment, the domU's bootloader_args.</summary>
    private static Task<BootOutcome> BootAsync(LibxlRun run, string hostFile, IEnumerable<string> bootloaderArgs, Dictionary<string, string>? environment = null)
    {
        var variables = new Dictionary<string, string>(environment ?? []) { ["XENMATCHBOX_CONFIG"] = hostFile };
        return run.RunAsync([.. run.LibxlFlags(), "--lookup", "case=floor", .. bootloaderArgs, run.DiskPath], environment: variables);
    }

    [Fact]
    public async Task Verify_assets_off_is_refused_where_the_host_requires_it()
    {
        using var run = new LibxlRun();
        var host = HostFile(run, "verify-assets = required", $"asset-key = {Good}");
        var before = matchbox.Counters.Requests("/ipxe");

        var outcome = await BootAsync(run, host, ["--verify-assets=off"]);

        AssertFailed(outcome, 2, "XMB-119", $"--verify-assets 'off' would weaken the host's trust settings: the host requires verified assets (verify-assets ({host} line 3) is required)");
        Assert.Equal(before, matchbox.Counters.Requests("/ipxe"));
    }

    [Fact]
    public async Task An_asset_key_the_host_did_not_choose_is_refused_instead_of_or_beside_the_hosts()
    {
        using var run = new LibxlRun();
        var host = HostFile(run, "verify-assets = required", $"asset-key = {Good}");

        var instead = await BootAsync(run, host, ["--asset-key", Other]);
        var beside = await BootAsync(run, host, ["--asset-key", Good, "--asset-key", Other]);

        foreach (var outcome in new[] { instead, beside })
        {
            AssertFailed(outcome, 2, "XMB-119", $"--asset-key '{Other}' would weaken the host's trust settings: the host trusts only the asset-key files it names ({Good}, asset-key ({host} line 4))");
        }
    }

    [Fact]
    public async Task A_lookup_key_the_host_did_not_choose_or_a_longer_lookup_max_age_is_refused()
    {
        using var run = new LibxlRun();
        var host = HostFile(run, $"lookup-key = {Good}");

        var key = await BootAsync(run, host, ["--lookup-key", Other]);
        var age = await BootAsync(run, host, ["--lookup-max-age", "86400"]);

        AssertFailed(key, 2, "XMB-119", $"--lookup-key '{Other}' would weaken the host's trust settings: the host trusts only the lookup-key files it names ({Good}, lookup-key ({host} line 3))");
        AssertFailed(age, 2, "XMB-119", "--lookup-max-age '86400' would weaken the host's trust settings: the host takes signed answers at most 300 s old (the default, with lookup-key ");
    }

    [Fact]
    public async Task A_configuration_file_named_in_bootloader_args_does_not_drop_the_hosts_settings()
    {
        using var run = new LibxlRun();
        var host = HostFile(run, "verify-assets = required", $"asset-key = {Good}");
        var own = Path.Combine(run.XenLibDir, "own.conf");
        File.WriteAllLines(own, ["server = 127.0.0.1", $"httpport = {matchbox.HttpEndPoint.Port}"]);

        var outcome = await BootAsync(run, host, ["--config", own]);

        AssertFailed(outcome, 2, "XMB-119", $"--config '{own}' would weaken the host's trust settings: it replaces the host's configuration file, and the host requires verified assets (verify-assets ({host} line 3) is required)");
    }

    [Fact]
    public async Task The_environment_is_the_hosts_as_the_file_is()
    {
        using var run = new LibxlRun();
        var host = HostFile(run);

        var outcome = await BootAsync(run, host, ["--verify-assets=off"],
            new Dictionary<string, string> { ["XENMATCHBOX_VERIFY_ASSETS"] = "required", ["XENMATCHBOX_ASSET_KEY"] = Good });

        AssertFailed(outcome, 2, "XMB-119", "--verify-assets 'off' would weaken the host's trust settings: the host requires verified assets (XENMATCHBOX_VERIFY_ASSETS is required)");
    }

    [Theory]
    [InlineData("asset-key = {good}", "--verify-assets=required")]
    [InlineData("verify-assets = required|asset-key = {good}", "--verify-assets=required")]
    [InlineData("verify-assets = required|asset-key = {other}|asset-key = {good}", "--asset-key {good}")]
    [InlineData("verify-assets = required", "--asset-key {good}")]
    [InlineData("", "--verify-assets=required --asset-key {good} --lookup-key {good}")]
    [InlineData("lookup-key = {good}|lookup-max-age = 600", "--lookup-max-age 60")]
    public async Task Tightening_boots(string hostLines, string domUArgs)
    {
        using var run = new LibxlRun();
        string Put(string text) => text.Replace("{good}", Good).Replace("{other}", Other);
        var host = HostFile(run, hostLines.Length == 0 ? [] : Put(hostLines).Split('|'));

        var outcome = await BootAsync(run, host, Put(domUArgs).Split(' '));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.True(kernel.AsSpan().SequenceEqual(File.ReadAllBytes(outcome.Result.Kernel!)));
        if (hostLines.Contains("asset-key", StringComparison.Ordinal) || domUArgs.Contains("verify-assets", StringComparison.Ordinal))
        {
            Assert.Matches($"xenmatchbox: kernel .*, verified \\({keys.KeyId("good")}\\)", outcome.Stderr);
        }
    }

    [Fact]
    public async Task Show_says_which_trust_settings_the_host_fixed()
    {
        using var run = new LibxlRun();
        var host = HostFile(run, "verify-assets = required", $"asset-key = {Good}", $"lookup-key = {Good}");

        var outcome = await run.RunAsync(["show", "--lookup", "case=floor"], environment: new Dictionary<string, string> { ["XENMATCHBOX_CONFIG"] = host });

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains(
            $"floor:    verify-assets = required ({host} line 3), asset-key = {Good} ({host} line 4), lookup-key = {Good} ({host} line 5), lookup-max-age = 300 (the default); bootloader_args may tighten these, never weaken them",
            outcome.Stdout.Split('\n'));
    }
}
