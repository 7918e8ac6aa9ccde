using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using XenMatchbox.TestServer;
using static XenMatchbox.IntegrationTests.FailureTests;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// The fault matrix: a server, a network, a disk or a profile misbehaving in one named way. Each
/// boot must end inside its deadline with one XMB line naming the cause, its exit status, an empty
/// output file and nothing of the run in the output directory.
/// </summary>
[Collection(MatchboxCollection.Name)]
public sealed class FaultMatrixTests(MatchboxFixture matchbox)
{
    private static Dictionary<string, string> Case(string name) => new() { ["case"] = name };

    /// <summary>A scenario whose kernel is served from <paramref name="kernelPath"/> (under /assets/os/).</summary>
    private string Scenario(string name, string kernelPath = "/assets/os/vmlinuz", IReadOnlyList<string>? args = null, bool served = true)
    {
        if (served && kernelPath != "/assets/os/vmlinuz")
        {
            matchbox.ServeKernelAt(kernelPath);
        }
        matchbox.AddScenario(name, new MatchboxBoot { Kernel = kernelPath, Initrd = ["/assets/os/initrd-b.img"], Args = args ?? [] }, Case(name));
        return $"case={name}";
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static List<string> With(List<string> args, string flag, string value)
    {
        var at = args.IndexOf(flag);
        if (at >= 0) args[at + 1] = value;
        else args.AddRange([flag, value]);
        return args;
    }

    [Fact]
    public async Task A_gRPC_listener_that_never_accepts_times_out_on_connect()
    {
        using var blackHole = new BlackHoleListener();
        using var run = new LibxlRun();
        var clock = Stopwatch.StartNew();

        var outcome = await run.BootAsync(With(With(matchbox.BootloaderArgs("case=x"), "--grpcport", blackHole.Port.ToString()), "--connect-timeout", "1"));

        AssertFailed(outcome, 3, "XMB-210", "did not answer in time");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_gRPC_port_answering_plain_HTTP_is_named()
    {
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(With(matchbox.BootloaderArgs("case=x"), "--grpcport", matchbox.Server.HttpPort.ToString()));

        AssertFailed(outcome, 3, "XMB-203", "does not speak TLS");
    }

    [Fact]
    public async Task An_unreadable_key_file_is_named()
    {
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(With(matchbox.BootloaderArgs("case=x"), "--key", run.XenLibDir));

        AssertFailed(outcome, 3, "XMB-208", run.XenLibDir);
    }

    [Fact]
    public async Task An_expired_client_certificate_is_refused_by_the_server()
    {
        using var run = new LibxlRun();
        using var expired = matchbox.Server.Certificates!.IssueExpiredClient();
        var cert = Path.Combine(run.XenLibDir, "expired.crt");
        var key = Path.Combine(run.XenLibDir, "expired.key");
        TestCertificates.WritePem(expired, cert, key);

        var outcome = await run.BootAsync(With(With(matchbox.BootloaderArgs("case=x"), "--cert", cert), "--key", key));

        AssertFailed(outcome, 3, "XMB-207", "refusing our client certificate");
    }

    [Fact]
    public async Task An_asset_server_down_after_the_lookup_is_unreachable()
    {
        var lookup = Scenario("asset-server-down");
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(With(matchbox.BootloaderArgs(lookup), "--httpport", FreePort().ToString()));

        AssertFailed(outcome, 5, "XMB-402", "cannot download http://127.0.0.1:");
    }

    [Fact]
    public async Task A_body_shorter_than_its_Content_Length_is_truncated_and_retried()
    {
        var lookup = Scenario("truncated", "/assets/os/truncated/vmlinuz");
        matchbox.Server.Faults.Set("/assets/os/truncated/vmlinuz", AssetFault.Truncate(1000));
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(matchbox.BootloaderArgs(lookup));

        AssertFailed(outcome, 5, "XMB-403", "ended after 1000 of");
        Assert.Equal(3, matchbox.Server.Counters.Requests("/assets/os/truncated/vmlinuz"));
    }

    [Fact]
    public async Task A_server_that_stalls_mid_body_hits_the_read_timeout()
    {
        var lookup = Scenario("stall", "/assets/os/stall/vmlinuz");
        matchbox.Server.Faults.Set("/assets/os/stall/vmlinuz", AssetFault.Stall(4096));
        using var run = new LibxlRun();
        var clock = Stopwatch.StartNew();

        var outcome = await run.BootAsync(With(matchbox.BootloaderArgs(lookup), "--read-timeout", "1"));

        AssertFailed(outcome, 5, "XMB-409", "no data for 1 s after 4096 bytes");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_kernel_over_the_cap_by_Content_Length_is_refused()
    {
        var lookup = Scenario("over-cap-declared", "/assets/os/big/vmlinuz");
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(With(matchbox.BootloaderArgs(lookup), "--max-kernel-size", "512K"));

        AssertFailed(outcome, 5, "XMB-405", "makes the kernel 1048576 bytes, over the limit of 524288");
    }

    [Fact]
    public async Task A_kernel_over_the_cap_without_Content_Length_is_stopped_while_streaming()
    {
        var lookup = Scenario("over-cap-chunked", "/assets/os/chunked/vmlinuz");
        matchbox.Server.Faults.Set("/assets/os/chunked/vmlinuz", AssetFault.Chunked);
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(With(matchbox.BootloaderArgs(lookup), "--max-kernel-size", "512K"));

        AssertFailed(outcome, 5, "XMB-405", "over the limit of 524288");
    }

    /// <summary>
    /// Without the cache the body would stream into the full directory; with it (a roomy cache
    /// beside) the complete kernel would be copied in. Either way the size is known up front.
    /// </summary>
    [RootTheory]
    [InlineData("--no-cache")]
    [InlineData("--cache-dir")]
    public async Task A_full_disk_is_refused_before_writing_when_the_size_is_known(string cacheFlag)
    {
        var lookup = Scenario($"disk-full-declared{cacheFlag}");
        using var run = new LibxlRun();
        using var disk = new SmallFilesystem(run.OutputDirectory, "size=256k,mode=0600");
        List<string> cache = cacheFlag == "--no-cache" ? ["--no-cache"] : ["--cache-dir", run.CacheDirectory];

        var outcome = await run.BootAsync([.. matchbox.BootloaderArgs(lookup), .. cache]);

        AssertFailed(outcome, 5, "XMB-408", "no room for");
    }

    /// <summary>
    /// The cache is an optimisation: a cache disk that is full, known up front (a declared length)
    /// or hit while streaming (chunked), costs one line and a download past the cache, never the boot.
    /// </summary>
    [RootTheory]
    [InlineData("declared")]
    [InlineData("chunked")]
    public async Task A_full_cache_disk_falls_back_to_downloading_without_the_cache(string body)
    {
        var kernelPath = $"/assets/os/cache-full-{body}/vmlinuz";
        var lookup = Scenario($"cache-disk-full-{body}", kernelPath);
        if (body == "chunked")
        {
            matchbox.Server.Faults.Set(kernelPath, AssetFault.Chunked);
        }
        using var run = new LibxlRun();
        Directory.CreateDirectory(run.CacheDirectory);
        using var disk = new SmallFilesystem(run.CacheDirectory, "size=256k,mode=0755");

        var outcome = await run.BootAsync(matchbox.BootloaderArgs(lookup));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.True(matchbox.Kernel.AsSpan().SequenceEqual(File.ReadAllBytes(outcome.Result.Kernel!)));
        var said = outcome.Stderr.Split('\n').Where(line => line.Contains(run.CacheDirectory, StringComparison.Ordinal)).ToList();
        Assert.Contains("downloading without it", Assert.Single(said));
        Assert.Empty(Directory.GetFiles(run.CacheDirectory, "*.partial"));
        // Only the small initrd may have made it in whole; never a piece of the kernel.
        Assert.All(Directory.GetFiles(run.CacheDirectory, "*.data"), data => Assert.Equal(matchbox.InitrdB.Length, new FileInfo(data).Length));
    }

    [RootFact]
    public async Task A_disk_that_fills_up_while_streaming_fails_cleanly()
    {
        var lookup = Scenario("disk-full-chunked", "/assets/os/chunked-full/vmlinuz");
        matchbox.Server.Faults.Set("/assets/os/chunked-full/vmlinuz", AssetFault.Chunked);
        using var run = new LibxlRun();
        using var disk = new SmallFilesystem(run.OutputDirectory, "size=256k,mode=0600");

        var outcome = await run.BootAsync([.. matchbox.BootloaderArgs(lookup), "--no-cache"]);

        AssertFailed(outcome, 5, "XMB-408", "No space left on device");
    }

    [RootFact]
    public async Task An_output_directory_that_cannot_be_written_is_named()
    {
        var lookup = Scenario("read-only-dir");
        using var run = new LibxlRun();
        using var disk = new SmallFilesystem(run.OutputDirectory, "ro,size=64k");

        var outcome = await run.BootAsync(matchbox.BootloaderArgs(lookup));

        AssertFailed(outcome, 5, "XMB-404", "Read-only file system");
    }

    [Fact]
    public async Task Args_containing_NUL_are_refused_for_simple0()
    {
        var lookup = Scenario("args-nul", args: ["console=hvc0", "evil=a\0kernel /etc/shadow"]);
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(matchbox.BootloaderArgs(lookup));

        AssertFailed(outcome, 4, "XMB-315", "the profile's arg 2 ('evil=a?kernel /etc/shadow') contains a NUL byte (U+0000)");
    }

    [Fact]
    public async Task Args_containing_a_newline_are_refused_for_simple()
    {
        var lookup = Scenario("args-newline", args: ["a=b\nramdisk /etc/shadow"]);
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(matchbox.BootloaderArgs(lookup), format: "simple");

        AssertFailed(outcome, 4, "XMB-315", "contains a newline (U+000A)");
    }

    [Fact]
    public async Task Args_of_8191_bytes_or_more_are_refused()
    {
        var lookup = Scenario("args-long", args: ["x=" + new string('y', 9000)]);
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(matchbox.BootloaderArgs(lookup));

        AssertFailed(outcome, 4, "XMB-314", "the kernel command line is 9002 bytes");
    }

    [Fact]
    public async Task A_lookup_with_an_empty_key_is_refused()
    {
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(matchbox.BootloaderArgs("=value"));

        AssertFailed(outcome, 2, "XMB-110", "the key before '=' is empty");
    }

    [Fact]
    public async Task A_lookup_key_given_twice_with_different_values_is_refused()
    {
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(matchbox.BootloaderArgs("os=a", "OS=b"));

        AssertFailed(outcome, 2, "XMB-112", "gives 'os' twice, as 'a' and as 'b'");
    }

    [Fact]
    public async Task A_redirect_loop_stops_after_five_hops()
    {
        var lookup = Scenario("redirect-loop", "/assets/os/loop/vmlinuz");
        matchbox.Server.Faults.Set("/assets/os/loop/vmlinuz", AssetFault.Redirect("/assets/os/loop/vmlinuz"));
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(matchbox.BootloaderArgs(lookup));

        AssertFailed(outcome, 5, "XMB-406", "redirected more than 5 times");
        Assert.Equal(6, matchbox.Server.Counters.Requests("/assets/os/loop/vmlinuz"));
    }

    [Fact]
    public async Task A_redirect_to_a_file_URL_is_refused()
    {
        var lookup = Scenario("redirect-file", "/assets/os/to-file/vmlinuz");
        matchbox.Server.Faults.Set("/assets/os/to-file/vmlinuz", AssetFault.Redirect("file:///etc/shadow"));
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(matchbox.BootloaderArgs(lookup));

        AssertFailed(outcome, 5, "XMB-407", "redirected to 'file:///etc/shadow', which uses the file: scheme");
    }

    [Fact]
    public async Task SIGTERM_mid_download_removes_the_partial_files_and_says_so()
    {
        var lookup = Scenario("sigterm", "/assets/os/slow/vmlinuz");
        matchbox.Server.Faults.Set("/assets/os/slow/vmlinuz", AssetFault.SlowBody(64 * 1024));
        using var run = new LibxlRun();

        var outcome = await run.RunAsync(
            [.. run.LibxlFlags(), .. matchbox.BootloaderArgs(lookup), run.DiskPath],
            whileRunning: async process =>
            {
                await Host.Until(() => matchbox.Server.Counters.BodyBytes("/assets/os/slow/vmlinuz") > 64 * 1024, "the download to start");
                // The kernel downloads into the cache first; the output directory gets it when complete.
                Assert.NotEmpty(Directory.GetFiles(run.CacheDirectory, "*.partial"));
                Host.Signal(process, "TERM");
            });

        AssertFailed(outcome, 7, "XMB-602", "stopped by SIGTERM");
        // The initrds may be complete and cached by then; the kernel's partial file must be gone.
        Assert.Empty(Directory.GetFiles(run.CacheDirectory, "*.partial"));
    }

    [Fact]
    public async Task The_deadline_ends_a_boot_that_would_outlast_it()
    {
        var lookup = Scenario("deadline", "/assets/os/slow-deadline/vmlinuz");
        matchbox.Server.Faults.Set("/assets/os/slow-deadline/vmlinuz", AssetFault.SlowBody(64 * 1024));
        using var run = new LibxlRun();
        var clock = Stopwatch.StartNew();

        var outcome = await run.BootAsync(With(matchbox.BootloaderArgs(lookup), "--timeout", "2"));

        AssertFailed(outcome, 7, "XMB-601", "deadline of 2 s");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(6), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task LIBXL_BOOTLOADER_TIMEOUT_sets_the_deadline_ten_seconds_under_it()
    {
        var lookup = Scenario("libxl-timeout", "/assets/os/slow-libxl/vmlinuz");
        matchbox.Server.Faults.Set("/assets/os/slow-libxl/vmlinuz", AssetFault.SlowBody(64 * 1024));
        using var run = new LibxlRun();

        var outcome = await run.RunAsync(
            [.. run.LibxlFlags(), .. matchbox.BootloaderArgs(lookup), run.DiskPath],
            environment: new Dictionary<string, string> { ["LIBXL_BOOTLOADER_TIMEOUT"] = "12" });

        AssertFailed(outcome, 7, "XMB-601", "deadline of 2 s");
    }

    [Fact]
    public async Task A_503_is_retried_and_the_boot_succeeds()
    {
        var lookup = Scenario("retry-503", "/assets/os/flaky/vmlinuz");
        matchbox.Server.Faults.Set("/assets/os/flaky/vmlinuz", AssetFault.Status(503), times: 1);
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(matchbox.BootloaderArgs(lookup));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Equal(2, matchbox.Server.Counters.Requests("/assets/os/flaky/vmlinuz"));
    }

    [Fact]
    public async Task A_404_is_not_retried()
    {
        var lookup = Scenario("no-retry-404", "/assets/os/gone/vmlinuz", served: false);
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(matchbox.BootloaderArgs(lookup));

        AssertFailed(outcome, 5, "XMB-401", "answered HTTP 404");
        Assert.Equal(1, matchbox.Server.Counters.Requests("/assets/os/gone/vmlinuz"));
    }

    [Fact]
    public async Task A_lookup_value_with_spaces_and_ampersands_reaches_matchbox_unchanged()
    {
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(matchbox.BootloaderArgs("case=a b&c=d?e#f"));

        AssertFailed(outcome, 3, "XMB-201", "case=a b&c=d?e#f");
        Assert.Contains(matchbox.Server.ReceivedLabels, labels => labels.Count == 1 && labels["case"] == "a b&c=d?e#f");
    }
}
