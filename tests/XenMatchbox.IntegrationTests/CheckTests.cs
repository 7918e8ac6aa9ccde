using System.Text;
using XenMatchbox.TestServer;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// `xenmatchbox check`, the operator's doctor, through the published program against the test
/// server and its failure modes: one line per check, exit 0 only when nothing failed.
/// </summary>
public sealed class CheckTests(MatchboxFixture matchbox) : IClassFixture<MatchboxFixture>
{
    private const string KernelPath = "/assets/os/vmlinuz";

    private string Http => $"http://127.0.0.1:{matchbox.Server.HttpPort}";

    private List<string> GrpcArgs(string? cert = null, string? key = null)
    {
        var files = matchbox.Server.CertificateFiles!;
        return
        [
            "--server", "127.0.0.1",
            "--httpport", matchbox.Server.HttpPort.ToString(),
            "--grpcport", matchbox.Server.GrpcPort.ToString(),
            "--ca", files.CaFile,
            "--cert", cert ?? files.ClientCertFile,
            "--key", key ?? files.ClientKeyFile,
            "--timeout", "30",
        ];
    }

    private static Task<BootOutcome> CheckAsync(LibxlRun run, IEnumerable<string> args) =>
        run.RunAsync(["check", .. args], environment: new Dictionary<string, string> { ["XENMATCHBOX_CONFIG"] = run.EmptyConfigFile });

    private static string[] Lines(BootOutcome outcome) => outcome.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task All_good_passes_every_check_and_exits_0()
    {
        matchbox.AddScenario("check-good", new MatchboxBoot { Kernel = KernelPath, Initrd = ["/assets/os/initrd-a.img"] }, MatchboxFixture.Case("check-good"));
        using var run = new LibxlRun();
        Directory.CreateDirectory(run.CacheDirectory);   // as the package installs it
        var outcome = await CheckAsync(run, [.. GrpcArgs(), "--lookup", "case=check-good"]);
        Assert.True(outcome.ExitCode == 0, outcome.Stdout + outcome);
        var lines = Lines(outcome);
        Assert.All(lines[..^1], line => Assert.StartsWith("✓ ", line));
        Assert.Contains($"✓ server 127.0.0.1:{matchbox.Server.GrpcPort} (gRPC): TCP, the mutual TLS handshake and a gRPC answer", lines);
        Assert.Contains($"✓ server {Http}/: answers \"matchbox\"", lines);
        Assert.Contains(lines, l => l.StartsWith("✓ --cert chain: ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"✓ cache {run.CacheDirectory}: writable, ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("✓ lookup case=check-good: profile check-good via gRPC", StringComparison.Ordinal));
        Assert.Contains($"✓ kernel {Http}{KernelPath}: answers HEAD, {IecSize.Of(matchbox.Kernel.Length)}, within the kernel cap of 128 MiB", lines);
        Assert.Matches(@"^check: \d+ passed, 0 warned, 0 failed, 0 not tried$", lines[^1]);
    }

    [Fact]
    public async Task A_server_that_is_down_fails_and_the_lookup_is_not_tried()
    {
        using var run = new LibxlRun();
        var port = Host.FreePort().ToString();
        var outcome = await CheckAsync(run, ["--server", "127.0.0.1", "--httpport", port, "--lookup", "case=any", "--timeout", "30"]);
        Assert.True(outcome.ExitCode == 9, outcome.Stdout + outcome);
        var lines = Lines(outcome);
        Assert.Contains(lines, l => l.StartsWith($"✗ server http://127.0.0.1:{port}/: XMB-402", StringComparison.Ordinal));
        Assert.Contains("- lookup case=any: not tried: no --server answered", lines);
    }

    [Fact]
    public async Task An_http_root_that_is_not_matchbox_fails()
    {
        using var other = new RawHttpServer("HTTP/1.1 200 OK\r\nContent-Length: 12\r\nConnection: close\r\n\r\nnginx works\n");
        using var run = new LibxlRun();
        var outcome = await CheckAsync(run, ["--server", "127.0.0.1", "--httpport", other.Port.ToString(), "--timeout", "30"]);
        Assert.True(outcome.ExitCode == 9, outcome.Stdout + outcome);
        Assert.Contains($"✗ server http://127.0.0.1:{other.Port}/: answers \"nginx works\", not matchbox's \"matchbox\" — check --server and --httpport (matchbox's -address)", Lines(outcome));
    }

    [Fact]
    public async Task An_expired_client_certificate_fails()
    {
        using var run = new LibxlRun();
        var expired = matchbox.Server.Certificates!.IssueExpiredClient();
        var (cert, key) = (Path.Combine(run.XenLibDir, "expired.crt"), Path.Combine(run.XenLibDir, "expired.key"));
        TestCertificates.WritePem(expired, cert, key);
        var outcome = await CheckAsync(run, GrpcArgs(cert, key));
        Assert.True(outcome.ExitCode == 9, outcome.Stdout + outcome);
        Assert.Contains(Lines(outcome), l => l.StartsWith($"✗ --cert {cert}: CN=expired-client, PEM, expired on ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_client_certificate_near_expiry_warns_and_exits_0_and_a_boot_warns_once()
    {
        using var run = new LibxlRun();
        var now = DateTimeOffset.UtcNow;
        var soon = matchbox.Server.Certificates!.IssueClient(now.AddDays(-1), now.AddDays(10), "soon-client");
        var (cert, key) = (Path.Combine(run.XenLibDir, "soon.crt"), Path.Combine(run.XenLibDir, "soon.key"));
        TestCertificates.WritePem(soon, cert, key);
        var outcome = await CheckAsync(run, GrpcArgs(cert, key));
        Assert.True(outcome.ExitCode == 0, outcome.Stdout + outcome);
        Assert.Contains(Lines(outcome), l => l.StartsWith($"! --cert {cert}: CN=soon-client, PEM, expires in 9 days, on ", StringComparison.Ordinal));

        matchbox.AddScenario("check-soon", new MatchboxBoot { Kernel = KernelPath }, MatchboxFixture.Case("check-soon"));
        var boot = await run.BootAsync([.. GrpcArgs(cert, key), "--lookup", "case=check-soon"]);
        Assert.True(boot.ExitCode == 0, boot.ToString());
        var warnings = boot.Stderr.Split('\n').Where(l => l.StartsWith("xenmatchbox: warning: ", StringComparison.Ordinal)).ToList();
        Assert.Equal([$"xenmatchbox: warning: --cert {cert} (CN=soon-client) expires in 9 days, on {soon.NotAfter.ToUniversalTime():yyyy-MM-dd}; renew it before matchbox refuses it"], warnings);
    }

    [Fact]
    public async Task A_key_that_does_not_match_the_certificate_fails_with_XMB_209_and_the_other_checks_go_on()
    {
        using var run = new LibxlRun();
        using var unrelated = matchbox.Server.Certificates!.CreateUnrelated();
        var (cert, key) = (Path.Combine(run.XenLibDir, "other.crt"), Path.Combine(run.XenLibDir, "other.key"));
        TestCertificates.WritePem(unrelated.Client, cert, key);
        var outcome = await CheckAsync(run, GrpcArgs(key: key));
        Assert.True(outcome.ExitCode == 9, outcome.Stdout + outcome);
        var lines = Lines(outcome);
        Assert.Contains(lines, l => l.StartsWith("✗ TLS files: XMB-209: ", StringComparison.Ordinal));
        Assert.Contains($"- server 127.0.0.1:{matchbox.Server.GrpcPort} (gRPC): not tried: the TLS files cannot be read", lines);
        Assert.Contains($"✓ server {Http}/: answers \"matchbox\"", lines);
    }

    /// <summary>A page of some other web server, far over the 4 KiB check reads of <c>/</c>.</summary>
    private static readonly string LargePage =
        "<!DOCTYPE html>\n<html><head><title>Welcome</title></head><body>\n" + string.Concat(Enumerable.Repeat("<p>It works, and keeps on working.</p>\n", 2600)) + "</body></html>\n";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_root_answer_over_the_read_is_judged_on_what_was_read(bool declared)
    {
        var head = declared ? $"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {Encoding.ASCII.GetByteCount(LargePage)}\r\n\r\n" : "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n";
        using var other = new RawHttpServer(head + LargePage);
        using var run = new LibxlRun();
        var outcome = await CheckAsync(run, ["--server", "127.0.0.1", "--httpport", other.Port.ToString(), "--no-cache", "--timeout", "30"]);
        Assert.True(outcome.ExitCode == 9, outcome.Stdout + outcome);
        Assert.DoesNotContain("XMB-900", outcome.Stderr + outcome.Stdout);
        Assert.Contains($"✗ server http://127.0.0.1:{other.Port}/: answers \"<!DOCTYPE html>\", not matchbox's \"matchbox\" — check --server and --httpport (matchbox's -address)", Lines(outcome));
        Assert.Matches(@"^check: \d+ passed, 0 warned, 1 failed, 0 not tried$", Lines(outcome)[^1]);
    }

    /// <summary>
    /// What else may stand at / instead of matchbox: each is one failed line (exit 9) and the
    /// report goes on, never XMB-900: a reset, bytes that are not UTF-8 or hold escapes, something
    /// that is not HTTP, a body cut short.
    /// </summary>
    [Theory]
    [InlineData("reset", "XMB-402")]
    [InlineData("not UTF-8", "answers ")]
    [InlineData("not HTTP", "XMB-413")]
    [InlineData("cut short", "XMB-402")]
    public async Task A_hostile_root_answer_is_one_failed_line(string what, string said)
    {
        byte[] answer = what switch
        {
            "reset" => [],
            "not UTF-8" => [.. "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n"u8, 0xFF, 0xFE, 0x00, (byte)'m', 0x1B, (byte)'[', (byte)'2', (byte)'J', 0xC3, 0x28, 0x80, (byte)'\n'],
            "not HTTP" => [0x00, 0x01, 0x02, .. "garbage\r\n\r\n"u8],
            _ => [.. "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nmatch"u8],
        };
        using var other = new RawHttpServer(answer, reset: what == "reset");
        using var run = new LibxlRun();
        var outcome = await CheckAsync(run, ["--server", "127.0.0.1", "--httpport", other.Port.ToString(), "--no-cache", "--timeout", "30"]);
        Assert.True(outcome.ExitCode == 9, outcome.Stdout + outcome);
        Assert.DoesNotContain("XMB-900", outcome.Stderr + outcome.Stdout);
        Assert.Contains(Lines(outcome), l => l.StartsWith($"✗ server http://127.0.0.1:{other.Port}/: {said}", StringComparison.Ordinal));
        Assert.All(Lines(outcome), l => Assert.DoesNotContain(l, c => char.IsControl(c)));
        Assert.Matches(@"^check: \d+ passed, 0 warned, 1 failed, 0 not tried$", Lines(outcome)[^1]);
    }

    [Fact]
    public async Task An_https_root_that_does_not_speak_TLS_is_one_failed_line_saying_what_answered()
    {
        using var run = new LibxlRun();
        var outcome = await CheckAsync(run, ["--server", "127.0.0.1", "--httpport", matchbox.Server.HttpPort.ToString(), "--web-ssl", "--no-cache", "--timeout", "30"]);
        Assert.True(outcome.ExitCode == 9, outcome.Stdout + outcome);
        Assert.DoesNotContain("XMB-900", outcome.Stderr + outcome.Stdout);
        Assert.Contains(Lines(outcome), l => l.StartsWith($"✗ server https://127.0.0.1:{matchbox.Server.HttpPort}/: XMB-413: ", StringComparison.Ordinal)
            && l.Contains("sent no TLS: an HTTP server answered \"HTTP/1.1 400 Bad Request\"", StringComparison.Ordinal));
    }

    /// <summary>A TLS or key file that is a directory fails its own line, and the other checks go on.</summary>
    [Theory]
    [InlineData("--ca", "✗ TLS files: XMB-208: ")]
    [InlineData("--cert", "✗ TLS files: XMB-208: ")]
    [InlineData("--key", "✗ TLS files: XMB-208: ")]
    [InlineData("--web-ca", "✗ TLS files: XMB-208: ")]
    [InlineData("--lookup-key", "✗ --lookup-key ")]
    public async Task A_file_that_is_a_directory_fails_its_line_and_the_others_go_on(string flag, string line)
    {
        using var run = new LibxlRun();
        var args = GrpcArgs();
        if (args.IndexOf(flag) is var at and >= 0) args[at + 1] = run.XenLibDir;
        else args.AddRange([flag, run.XenLibDir]);
        var outcome = await CheckAsync(run, args);
        Assert.True(outcome.ExitCode == 9, outcome.Stdout + outcome);
        Assert.DoesNotContain("XMB-900", outcome.Stderr + outcome.Stdout);
        Assert.Contains(Lines(outcome), l => l.StartsWith(line, StringComparison.Ordinal) && l.Contains("it is a directory", StringComparison.Ordinal));
        Assert.Contains($"✓ server {Http}/: answers \"matchbox\"", Lines(outcome));
    }

    [Fact]
    public async Task A_missing_cache_directory_is_reported_and_nothing_is_created()
    {
        using var run = new LibxlRun();
        var parent = Path.Combine(run.XenLibDir, "var-cache");
        var missing = Path.Combine(parent, "xenmatchbox");
        var outcome = await CheckAsync(run, [.. GrpcArgs(), "--cache-dir", missing]);
        Assert.DoesNotContain("XMB-900", outcome.Stderr + outcome.Stdout);
        Assert.Contains(Lines(outcome), l => l.StartsWith($"! cache {missing}: does not exist", StringComparison.Ordinal) && l.Contains("mkdir", StringComparison.Ordinal));
        Assert.False(Directory.Exists(parent), "check made the cache directory's parent");
        Assert.True(outcome.ExitCode == 0, outcome.Stdout + outcome);
    }

    [Fact]
    public async Task The_cache_check_writes_nothing()
    {
        using var run = new LibxlRun();
        var cache = Directory.CreateDirectory(Path.Combine(run.XenLibDir, "cache-here"));
        var changed = new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc);
        Directory.SetLastWriteTimeUtc(cache.FullName, changed);
        var outcome = await CheckAsync(run, [.. GrpcArgs(), "--cache-dir", cache.FullName]);
        Assert.True(outcome.ExitCode == 0, outcome.Stdout + outcome);
        Assert.Contains(Lines(outcome), l => l.StartsWith($"✓ cache {cache.FullName}: writable, ", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFileSystemEntries(cache.FullName));
        Assert.Equal(changed, Directory.GetLastWriteTimeUtc(cache.FullName));
    }

    [Fact]
    public async Task A_cache_directory_that_cannot_be_written_fails()
    {
        using var run = new LibxlRun();
        var notADirectory = Path.Combine(run.XenLibDir, "cache-file");
        await File.WriteAllTextAsync(notADirectory, "");
        var outcome = await CheckAsync(run, [.. GrpcArgs(), "--cache-dir", notADirectory]);
        Assert.True(outcome.ExitCode == 9, outcome.Stdout + outcome);
        Assert.Contains(Lines(outcome), l => l.StartsWith($"✗ cache {notADirectory}: cannot store: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_lookup_that_matches_no_profile_fails_with_XMB_201()
    {
        using var run = new LibxlRun();
        var outcome = await CheckAsync(run, [.. GrpcArgs(), "--lookup", "case=nothing-matches"]);
        Assert.True(outcome.ExitCode == 9, outcome.Stdout + outcome);
        Assert.Contains(Lines(outcome), l => l.StartsWith("✗ lookup case=nothing-matches: XMB-201: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_asset_that_answers_404_or_is_over_its_cap_fails()
    {
        matchbox.AddScenario("check-404", new MatchboxBoot { Kernel = "/assets/os/missing" }, MatchboxFixture.Case("check-404"));
        matchbox.AddScenario("check-big", new MatchboxBoot { Kernel = KernelPath }, MatchboxFixture.Case("check-big"));
        using var run = new LibxlRun();
        var missing = await CheckAsync(run, [.. GrpcArgs(), "--lookup", "case=check-404"]);
        Assert.True(missing.ExitCode == 9, missing.Stdout + missing);
        Assert.Contains(Lines(missing), l => l.StartsWith($"✗ kernel {Http}/assets/os/missing: XMB-401: ", StringComparison.Ordinal));
        var big = await CheckAsync(run, [.. GrpcArgs(), "--lookup", "case=check-big", "--max-kernel-size", "1000"]);
        Assert.True(big.ExitCode == 9, big.Stdout + big);
        Assert.Contains(Lines(big), l => l.StartsWith($"✗ kernel {Http}{KernelPath}: XMB-405: ", StringComparison.Ordinal));
    }
}
