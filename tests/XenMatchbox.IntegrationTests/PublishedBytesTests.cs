using System.Text.Json;
using XenMatchbox.TestServer;
using static XenMatchbox.IntegrationTests.FailureTests;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// Boot exactly the bytes that were published: an empty kernel or initrd never reaches libxl, and a
/// dry run fails with the code a boot would fail with, before anything is downloaded.
/// </summary>
[Collection(MatchboxCollection.Name)]
public sealed class PublishedBytesTests(MatchboxFixture matchbox)
{
    /// <summary>A scenario booting <paramref name="kernel"/> and <paramref name="initrds"/>; its --lookup text.</summary>
    private string Scenario(string name, string kernel, params string[] initrds)
    {
        matchbox.AddScenario(name, new MatchboxBoot { Kernel = kernel, Initrd = [.. initrds], Args = ["console=hvc0"] }, MatchboxFixture.Case(name));
        return $"case={name}";
    }

    /// <summary>Profiles whose args write lines of their own into /ipxe, with the script shape that shows it.</summary>
    public static TheoryData<string, string, IpxeStyle> SmuggledArgs() => new()
    {
        { "smuggle-chain", "console=hvc0\nchain http://elsewhere/x.ipxe", IpxeStyle.Current },
        { "smuggle-boot", "console=hvc0\nboot", IpxeStyle.Current },
        { "smuggle-cr", "console=hvc0\r", IpxeStyle.Current },
        { "smuggle-kernel", "console=hvc0\nkernel /assets/os/initrd-b.img", IpxeStyle.LegacyV061 },
        { "smuggle-initrd", "console=hvc0\ninitrd /assets/os/initrd-b.img", IpxeStyle.LegacyV061 },
    };

    [Theory]
    [MemberData(nameof(SmuggledArgs))]
    public async Task An_arg_that_writes_lines_into_ipxe_is_refused_over_HTTP_as_over_gRPC(string name, string arg, IpxeStyle style)
    {
        matchbox.AddScenario(name, new MatchboxBoot { Kernel = "/assets/os/vmlinuz", Initrd = ["/assets/os/initrd-a.img"], Args = [arg] }, MatchboxFixture.Case(name));
        using var grpcRun = new LibxlRun();
        var overGrpc = await grpcRun.BootAsync(matchbox.BootloaderArgs($"case={name}"));
        AssertFailed(overGrpc, 4, "XMB-315", "contains a");

        var before = matchbox.Server.IpxeStyle;
        matchbox.Server.IpxeStyle = style;
        try
        {
            using var httpRun = new LibxlRun();
            var overHttp = await httpRun.BootAsync([.. matchbox.BootloaderArgs($"case={name}"), "--http-only"]);
            AssertFailed(overHttp, 4, "XMB-315", "contains a");
        }
        finally
        {
            matchbox.Server.IpxeStyle = before;
        }
    }

    /// <summary>Profiles with blank args (empty, or only spaces), which matchbox's /ipxe writes as nothing but spaces.</summary>
    public static TheoryData<string, string[]> BlankArgs() => new()
    {
        { "blank-1025", [.. Enumerable.Repeat("", 1025), "console=hvc0"] },
        { "blank-among", ["console=hvc0", "", "quiet", " ", "", "  "] },
        { "blank-spaced-1025", [.. Enumerable.Repeat(" ", 1025), "console=hvc0", "quiet"] },
    };

    [Theory]
    [MemberData(nameof(BlankArgs))]
    public async Task Blank_args_are_dropped_alike_over_gRPC_and_HTTP(string name, string[] args)
    {
        matchbox.AddScenario(name, new MatchboxBoot { Kernel = "/assets/os/vmlinuz", Args = [.. args] }, MatchboxFixture.Case(name));
        var expected = string.Join(" ", args.Where(arg => arg.Trim(' ').Length > 0));
        using var grpcRun = new LibxlRun();
        using var httpRun = new LibxlRun();

        var overGrpc = await grpcRun.BootAsync(matchbox.BootloaderArgs($"case={name}"));
        var overHttp = await httpRun.BootAsync([.. matchbox.BootloaderArgs($"case={name}"), "--http-only"]);

        Assert.True(overGrpc.ExitCode == 0, overGrpc.ToString());
        Assert.True(overHttp.ExitCode == 0, overHttp.ToString());
        Assert.Equal(expected, overGrpc.Result.Args);
        Assert.Equal(expected, overHttp.Result.Args);
    }

    [Theory]
    [InlineData("--cache-dir")]
    [InlineData("--no-cache")]
    public async Task An_empty_kernel_is_refused(string cacheFlag)
    {
        matchbox.ServeAt("/assets/empty/kernel-" + cacheFlag, []);
        var lookup = Scenario("empty-kernel" + cacheFlag, "/assets/empty/kernel-" + cacheFlag, "/assets/os/initrd-a.img");
        using var run = new LibxlRun();
        var args = matchbox.BootloaderArgs(lookup);
        args.Add(cacheFlag == "--no-cache" ? "--no-cache" : $"--cache-dir={run.CacheDirectory}");

        var outcome = await run.BootAsync(args);

        AssertFailed(outcome, 5, "XMB-411", $"the kernel would get nothing from {matchbox.Server.HttpBaseUrl}/assets/empty/kernel-{cacheFlag}: it is empty (0 bytes)");
    }

    [Fact]
    public async Task An_empty_kernel_stays_refused_when_the_cache_revalidates_it()
    {
        matchbox.ServeAt("/assets/empty/cached-kernel", []);
        var lookup = Scenario("empty-cached-kernel", "/assets/empty/cached-kernel");
        using var run = new LibxlRun();

        AssertFailed(await run.BootAsync(matchbox.BootloaderArgs(lookup)), 5, "XMB-411", "cached-kernel: it is empty");
        AssertFailed(await run.BootAsync(matchbox.BootloaderArgs(lookup)), 5, "XMB-411", "cached-kernel: it is empty");
    }

    [Theory]
    [InlineData("--cache-dir")]
    [InlineData("--no-cache")]
    public async Task An_empty_initrd_part_is_refused_even_between_parts_with_bytes(string cacheFlag)
    {
        matchbox.ServeAt("/assets/empty/initrd-" + cacheFlag, []);
        var lookup = Scenario("empty-initrd" + cacheFlag, "/assets/os/vmlinuz",
            "/assets/os/initrd-a.img", "/assets/empty/initrd-" + cacheFlag, "/assets/os/initrd-b.img");
        using var run = new LibxlRun();
        var args = matchbox.BootloaderArgs(lookup);
        args.Add(cacheFlag == "--no-cache" ? "--no-cache" : $"--cache-dir={run.CacheDirectory}");

        var outcome = await run.BootAsync(args);

        AssertFailed(outcome, 5, "XMB-411", $"the ramdisk would get nothing from {matchbox.Server.HttpBaseUrl}/assets/empty/initrd-{cacheFlag}");
    }

    [Fact]
    public async Task A_lone_empty_initrd_is_refused()
    {
        matchbox.ServeAt("/assets/empty/lone-initrd", []);
        var lookup = Scenario("empty-lone-initrd", "/assets/os/vmlinuz", "/assets/empty/lone-initrd");
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(matchbox.BootloaderArgs(lookup));

        AssertFailed(outcome, 5, "XMB-411", "the ramdisk would get nothing from");
    }

    /// <summary>A dry run's faults, each with the exit status, code and cause a boot would end with.</summary>
    public static TheoryData<string, string, int, string, string> DryRunFaults() => new()
    {
        { "dry-404", "missing", 5, "XMB-401", "/assets/os/nowhere/vmlinuz answered HTTP 404" },
        { "dry-kernel-cap", "kernel-cap", 5, "XMB-405", "makes the kernel 1048576 bytes, over the limit of 524288" },
        { "dry-ramdisk-cap", "ramdisk-cap", 5, "XMB-405", "initrd-b.img makes the ramdisk " },
        { "dry-empty", "empty", 5, "XMB-411", "the ramdisk would get nothing from" },
        { "dry-unreachable", "unreachable", 5, "XMB-402", "cannot download http://127.0.0.1:" },
    };

    /// <summary>The lookup and the extra flags of a dry-run fault.</summary>
    private (string Lookup, string[] Flags) DryRunCase(string name, string fault)
    {
        switch (fault)
        {
            case "missing":
                return (Scenario(name, "/assets/os/nowhere/vmlinuz", "/assets/os/initrd-a.img"), []);
            case "kernel-cap":
                return (Scenario(name, "/assets/os/vmlinuz", "/assets/os/initrd-a.img"), ["--max-kernel-size", "512K"]);
            case "ramdisk-cap":
                // Each initrd fits; together they do not.
                return (Scenario(name, "/assets/os/vmlinuz", "/assets/os/initrd-a.img", "/assets/os/initrd-b.img"), ["--max-ramdisk-size", "350K"]);
            case "empty":
                matchbox.ServeAt("/assets/empty/dry-initrd", []);
                return (Scenario(name, "/assets/os/vmlinuz", "/assets/os/initrd-a.img", "/assets/empty/dry-initrd"), []);
            default:
                return (Scenario(name, "/assets/os/vmlinuz", $"http://127.0.0.1:{Host.FreePort()}/assets/initrd"), []);
        }
    }

    [Theory]
    [MemberData(nameof(DryRunFaults))]
    public async Task Not_really_fails_as_the_boot_would_and_still_reports(string name, string fault, int exit, string code, string cause)
    {
        var (lookup, flags) = DryRunCase(name + "-nr", fault);
        var before = matchbox.Server.Counters.BodyBytes("/assets/os/vmlinuz");
        using var run = new LibxlRun();

        var outcome = await run.BootAsync([.. matchbox.BootloaderArgs(lookup), .. flags, "--not-really"]);

        AssertFailed(outcome, exit, code, cause);
        Assert.Contains("kernel:   http://", outcome.Stdout);
        Assert.Contains($"verdict:  a boot would fail: {code}", outcome.Stdout);
        Assert.Equal(before, matchbox.Server.Counters.BodyBytes("/assets/os/vmlinuz"));
    }

    [Theory]
    [MemberData(nameof(DryRunFaults))]
    public async Task Show_fails_as_the_boot_would_and_still_reports(string name, string fault, int exit, string code, string cause)
    {
        var (lookup, flags) = DryRunCase(name + "-show", fault);
        using var run = new LibxlRun();

        var outcome = await run.RunAsync(["show", .. matchbox.BootloaderArgs(lookup), .. flags]);

        AssertFailed(outcome, exit, code, cause);
        Assert.Contains("kernel:   http://", outcome.Stdout);
        Assert.Contains($"verdict:  a boot would fail: {code}", outcome.Stdout);
    }

    [Theory]
    [MemberData(nameof(DryRunFaults))]
    public async Task Show_json_fails_as_the_boot_would_with_the_failure_as_its_verdict(string name, string fault, int exit, string code, string cause)
    {
        var (lookup, flags) = DryRunCase(name + "-json", fault);
        using var run = new LibxlRun();

        var outcome = await run.RunAsync(["show", .. matchbox.BootloaderArgs(lookup), .. flags, "--json"]);

        AssertFailed(outcome, exit, code, cause);
        using var report = JsonDocument.Parse(outcome.Stdout);
        var verdict = report.RootElement.GetProperty("verdict");
        Assert.False(verdict.GetProperty("ok").GetBoolean());
        Assert.Equal(code, verdict.GetProperty("code").GetString());
        Assert.Contains(cause, verdict.GetProperty("cause").GetString());
        Assert.Equal(exit, verdict.GetProperty("exitStatus").GetInt32());
        var kernelHead = report.RootElement.GetProperty("assets")[0].GetProperty("head");
        if (fault == "missing")
        {
            // The HEAD itself failed: the asset says so with the boot's error.
            Assert.Equal("failed", kernelHead.GetProperty("status").GetString());
            Assert.Equal(code, kernelHead.GetProperty("code").GetString());
        }
        else
        {
            Assert.Equal("declared", kernelHead.GetProperty("status").GetString());
        }
    }

    [Theory]
    [MemberData(nameof(DryRunFaults))]
    public async Task The_boot_a_dry_run_warned_of_fails_with_the_same_code(string name, string fault, int exit, string code, string cause)
    {
        var (lookup, flags) = DryRunCase(name + "-boot", fault);
        using var run = new LibxlRun();

        var outcome = await run.BootAsync([.. matchbox.BootloaderArgs(lookup), .. flags]);

        AssertFailed(outcome, exit, code, cause);
    }
}
