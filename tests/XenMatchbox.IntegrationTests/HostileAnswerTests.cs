using System.Diagnostics;
using System.Net;
using System.Text;
using XenMatchbox.TestServer;
using static XenMatchbox.IntegrationTests.FailureTests;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// Asset servers that answer in ways a real one would not (not HTTP, endless headers, two lengths,
/// a body dripping past the deadline), credentials in asset URLs, and certificates naming another
/// host: each named for what it is, never as "unreachable", and never a secret in a message.
/// </summary>
[Collection(MatchboxCollection.Name)]
public sealed class HostileAnswerTests(MatchboxFixture matchbox)
{
    private string Scenario(string name, string kernel, IReadOnlyList<string>? initrds = null)
    {
        matchbox.AddScenario(name, new MatchboxBoot { Kernel = kernel, Initrd = initrds ?? [] },
            MatchboxFixture.Case(name));
        return $"case={name}";
    }

    [Theory]
    [InlineData("ssh", "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", "not an HTTP answer")]
    [InlineData("lengths", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nContent-Length: 20\r\n\r\n0123456789", "Content-Length")]
    public async Task An_answer_that_is_not_sound_HTTP_is_named_and_not_retried(string name, string answer, string cause)
    {
        using var raw = new RawHttpServer(answer);
        var lookup = Scenario($"hostile-{name}", raw.Url("/vmlinuz"));
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(matchbox.BootloaderArgs(lookup));

        AssertFailed(outcome, 5, "XMB-413", cause);
        Assert.Equal(1, raw.Connections);
    }

    [Fact]
    public async Task An_ipxe_lookup_answered_by_another_protocol_names_the_port_and_is_not_retried()
    {
        using var raw = new RawHttpServer("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n");
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(["--server", "127.0.0.1", "--httpport", raw.Port.ToString(), "--lookup", "case=x"]);

        AssertFailed(outcome, 3, "XMB-203", "is --httpport matchbox's HTTP port");
        Assert.Equal(1, raw.Connections);
    }

    /// <summary>/ipxe answers with bytes that are not UTF-8 on one line (matchbox writes only UTF-8), and that line's number.</summary>
    public static TheoryData<string, byte[], int> NotUtf8() => new()
    {
        { "a lone 0xFF in an arg", [0xFF], 2 },
        { "a UTF-16 surrogate", [0xED, 0xA0, 0x80], 2 },
        { "an overlong slash", [0xC0, 0xAF], 2 },
        { "a sequence cut short", [0xE2, 0x82], 2 },
        { "a Latin-1 byte in an initrd's name", [0xE9], 3 },
    };

    [Theory]
    [MemberData(nameof(NotUtf8))]
    public async Task An_ipxe_answer_that_is_not_UTF8_is_refused_naming_the_line(string what, byte[] bytes, int line)
    {
        var kernel = $"{matchbox.Server.HttpBaseUrl}/assets/os/vmlinuz";
        byte[] script = line == 2
            ? [.. "#!ipxe\nkernel "u8, .. Encoding.ASCII.GetBytes(kernel), .. " console=hvc0 x="u8, .. bytes, .. "y\nboot\n"u8]
            : [.. "#!ipxe\nkernel "u8, .. Encoding.ASCII.GetBytes(kernel), .. "\ninitrd /assets/caf"u8, .. bytes, .. "\nboot\n"u8];
        using var raw = new RawHttpServer([.. Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {script.Length}\r\n\r\n"), .. script]);
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(["--server", "127.0.0.1", "--httpport", raw.Port.ToString(), "--lookup", "case=x"]);

        AssertFailed(outcome, 3, "XMB-211", $"line {line} ");
        Assert.True(outcome.ErrorLine.Contains("UTF-8"), $"{what}: {outcome.ErrorLine}");
    }

    [Fact]
    public async Task Headers_without_end_are_refused_as_too_large()
    {
        using var raw = new RawHttpServer("HTTP/1.1 200 OK\r\nX-Filler: " + new string('a', 200_000) + "\r\n\r\n");
        var lookup = Scenario("hostile-headers", raw.Url("/vmlinuz"));
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(matchbox.BootloaderArgs(lookup));

        AssertFailed(outcome, 5, "XMB-413", "headers");
    }

    [Fact]
    public async Task A_body_dripping_a_byte_a_second_ends_at_the_deadline()
    {
        var lookup = Scenario("drip", "/assets/os/drip/vmlinuz");
        matchbox.ServeKernelAt("/assets/os/drip/vmlinuz");
        matchbox.Server.Faults.Set("/assets/os/drip/vmlinuz", AssetFault.SlowBody(1));
        using var run = new LibxlRun();
        var clock = Stopwatch.StartNew();

        var outcome = await run.BootAsync([.. matchbox.BootloaderArgs(lookup), "--timeout", "3"]);

        AssertFailed(outcome, 7, "XMB-601", "deadline of 3 s");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3.7), $"took {clock.Elapsed}");
    }

    private const string Secret = "s3cret-pw";

    /// <summary>
    /// A scenario whose kernel, at /assets/os/NAME/vmlinuz, needs Basic credentials boot:ACCEPTED,
    /// and whose profile names it as http://boot:s3cret-pw@…; returns the lookup and the path.
    /// </summary>
    private (string Lookup, string Path) CredentialedScenario(string name, string accepted)
    {
        var path = $"/assets/os/{name}/vmlinuz";
        matchbox.ServeKernelAt(path);
        matchbox.Server.Faults.Set(path, AssetFault.BasicAuth("boot", accepted));
        return (Scenario(name, $"http://boot:{Secret}@127.0.0.1:{matchbox.Server.HttpPort}{path}"), path);
    }

    [Fact]
    public async Task Credentials_in_an_asset_URL_are_sent_as_HTTP_Basic_and_never_shown()
    {
        var (lookup, _) = CredentialedScenario("basic", accepted: Secret);
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(matchbox.BootloaderArgs(lookup));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.True(matchbox.Kernel.AsSpan().SequenceEqual(File.ReadAllBytes(outcome.Result.Kernel!)));
        Assert.DoesNotContain(Secret, outcome.Stderr);
        Assert.All(Directory.GetFiles(run.CacheDirectory), file => Assert.DoesNotContain(Secret, File.ReadAllText(file)));
    }

    [Fact]
    public async Task Wrong_credentials_fail_with_their_status_and_the_secret_redacted()
    {
        var (lookup, _) = CredentialedScenario("basic-wrong", accepted: "another");
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(matchbox.BootloaderArgs(lookup));

        AssertFailed(outcome, 5, "XMB-401", "answered HTTP 401");
        Assert.Contains("http://***@127.0.0.1", outcome.ErrorLine);
        Assert.DoesNotContain(Secret, outcome.Stderr);
    }

    [Fact]
    public async Task Show_never_prints_the_credentials_of_an_asset_URL()
    {
        var (lookup, path) = CredentialedScenario("basic-show", accepted: Secret);
        using var run = new LibxlRun();

        var outcome = await run.RunAsync(["show", .. matchbox.BootloaderArgs(lookup)]);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains($"kernel:   http://***@127.0.0.1:{matchbox.Server.HttpPort}{path} ({IecSize.Of(matchbox.Kernel.Length)})", outcome.Stdout);
        Assert.DoesNotContain(Secret, outcome.Stdout + outcome.Stderr);
    }

    [Fact]
    public async Task An_https_asset_whose_certificate_names_another_host_says_so()
    {
        await using var misnamed = await MatchboxTestServer.StartAsync(new MatchboxTestServerOptions
        {
            AssetsPath = matchbox.AssetsPath,
            HttpsEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            ServerNames = ["assets.invalid"],
        });
        var lookup = Scenario("misnamed", $"https://127.0.0.1:{misnamed.HttpsEndPoint!.Port}/assets/os/vmlinuz");
        using var run = new LibxlRun();
        // The system store vouches for its CA: only the name is wrong.
        var system = new Dictionary<string, string> { ["SSL_CERT_FILE"] = misnamed.CertificateFiles!.CaFile };

        var outcome = await run.RunAsync([.. run.LibxlFlags(), .. matchbox.BootloaderArgs(lookup), run.DiskPath], environment: system);

        AssertFailed(outcome, 5, "XMB-412", "does not name 127.0.0.1");
    }
}
