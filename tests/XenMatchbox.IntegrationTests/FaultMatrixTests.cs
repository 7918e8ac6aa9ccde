using System.Diagnostics;
using XenMatchbox.TestServer;
using static XenMatchbox.IntegrationTests.FailureTests;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// The fault matrix: a server, a network, a disk or a profile misbehaving in one named way. Each
/// boot must end inside its deadline with one XMB line naming the cause, its exit status, an empty
/// output file and nothing of the run in the output directory. Most faults are rows of one table
/// (<see cref="Faults"/>, and <see cref="DiskFaults"/> for those that take root); the tests that
/// prove more than the XMB line a fault ends with stand on their own below it.
/// </summary>
[Collection(MatchboxCollection.Name)]
public sealed class FaultMatrixTests(MatchboxFixture matchbox)
{
    /// <summary>A scenario whose kernel is served from <paramref name="kernelPath"/> (under /assets/os/).</summary>
    private string Scenario(string name, string kernelPath = "/assets/os/vmlinuz", IReadOnlyList<string>? args = null, bool served = true)
    {
        if (served && kernelPath != "/assets/os/vmlinuz")
        {
            matchbox.ServeKernelAt(kernelPath);
        }
        matchbox.AddScenario(name, new MatchboxBoot { Kernel = kernelPath, Initrd = ["/assets/os/initrd-b.img"], Args = args ?? [] }, MatchboxFixture.Case(name));
        return $"case={name}";
    }

    private static List<string> With(List<string> args, string flag, string value)
    {
        var at = args.IndexOf(flag);
        if (at >= 0) args[at + 1] = value;
        else args.AddRange([flag, value]);
        return args;
    }

    /// <summary>
    /// One fault: how to bring it about and the XMB line the boot must end with (exit status, code
    /// and a fragment of the cause, as <see cref="FailureTests.AssertFailed"/> checks), with what else
    /// the case proves (a time bound, the requests the server saw). The name is the test case's in
    /// the runner: unique, and at most 50 characters, which xunit shows whole.
    /// </summary>
    public sealed record FaultCase(string Name, int Exit, string Code, string Cause)
    {
        /// <summary>The matchbox scenario to boot (group, profile and its case= label); none stops before any profile.</summary>
        public string? Scenario { get; init; }

        /// <summary>Where the scenario's kernel is (under /assets/os/), served with the test kernel unless <see cref="KernelServed"/> is false.</summary>
        public string Kernel { get; init; } = "/assets/os/vmlinuz";

        public bool KernelServed { get; init; } = true;

        /// <summary>The profile's args.</summary>
        public string[] ProfileArgs { get; init; } = [];

        /// <summary>How the HTTP listener misbehaves on <see cref="Kernel"/>.</summary>
        public AssetFault? Fault { get; init; }

        /// <summary>The --lookup values; by default case=&lt;scenario&gt;, or case=x without one.</summary>
        public string[]? Lookups { get; init; }

        /// <summary>Flags that replace those of the server's own bootloader_args, or are added.</summary>
        public Func<Arrangement, (string Flag, string Value)[]> Flags { get; init; } = _ => [];

        /// <summary>Flags without a value, added at the end.</summary>
        public string[] Switches { get; init; } = [];

        public string Format { get; init; } = "simple0";

        /// <summary>Variables added to the program's environment, as xl's.</summary>
        public Dictionary<string, string>? Environment { get; init; }

        /// <summary>Options of a small tmpfs mounted over the output directory (root only).</summary>
        public string? SmallDisk { get; init; }

        /// <summary>How long the boot may take, at most.</summary>
        public TimeSpan? Within { get; init; }

        /// <summary>How many requests the server must have seen for <see cref="Kernel"/> (retries, redirect hops).</summary>
        public int? KernelRequests { get; init; }

        /// <summary>In <see cref="Cause"/>, stands for the run's directory (libxl's, holding the output file).</summary>
        public const string RunDirectory = "@DIR@";

        public override string ToString() => Name;
    }

    /// <summary>What a case's flags may use: this run, the server, and things to dispose of when the boot is over.</summary>
    public sealed class Arrangement(MatchboxFixture matchbox, LibxlRun run) : IDisposable
    {
        private readonly List<IDisposable> kept = [];

        public MatchboxFixture Matchbox => matchbox;
        public LibxlRun Run => run;

        public T Keep<T>(T disposable) where T : IDisposable
        {
            kept.Add(disposable);
            return disposable;
        }

        public void Dispose()
        {
            foreach (var disposable in kept) disposable.Dispose();
        }
    }

    /// <summary>The faults any user can bring about.</summary>
    public static readonly FaultCase[] Faults =
    [
        new("gRPC listener that never accepts", 3, "XMB-210", "did not answer in time")
        {
            Flags = a => [("--grpcport", a.Keep(new BlackHoleListener()).Port.ToString()), ("--connect-timeout", "1")],
            Within = TimeSpan.FromSeconds(10),
        },
        new("gRPC port answering plain HTTP", 3, "XMB-203", "does not speak TLS")
        {
            Flags = a => [("--grpcport", a.Matchbox.Server.HttpPort.ToString())],
        },
        new("unreadable key file", 3, "XMB-208", FaultCase.RunDirectory)
        {
            Flags = a => [("--key", a.Run.XenLibDir)],
        },
        new("expired client certificate, refused with an alert", 3, "XMB-207", "refused our client certificate with the TLS alert \"bad certificate\"")
        {
            // matchbox's Go TLS stack refuses it so; Kestrel cannot send the alert.
            Flags = a => [.. ExpiredClientCertificate(a), ("--grpcport", a.Keep(new TlsAlertListener(a.Matchbox.Server.TlsFiles!)).Port.ToString())],
        },
        new("client certificate refused without an alert", 3, "XMB-204", "it closed the connection right after the TLS handshake")
        {
            Flags = ExpiredClientCertificate,
        },
        new("asset server down after the lookup", 5, "XMB-402", "cannot download http://127.0.0.1:")
        {
            Scenario = "asset-server-down",
            Flags = _ => [("--httpport", Host.FreePort().ToString())],
        },
        new("body shorter than its Content-Length", 5, "XMB-403", "ended after 1000 of")
        {
            Scenario = "truncated", Kernel = "/assets/os/truncated/vmlinuz", Fault = AssetFault.Truncate(1000),
            KernelRequests = 3,   // retried twice
        },
        new("server that stalls mid-body", 5, "XMB-409", "no data for 1 s after 4096 bytes")
        {
            Scenario = "stall", Kernel = "/assets/os/stall/vmlinuz", Fault = AssetFault.Stall(4096),
            Flags = _ => [("--read-timeout", "1")],
            Within = TimeSpan.FromSeconds(10),
        },
        new("kernel over the cap by Content-Length", 5, "XMB-405", "makes the kernel 1048576 bytes, over the limit of 524288")
        {
            Scenario = "over-cap-declared", Kernel = "/assets/os/big/vmlinuz",
            Flags = _ => [("--max-kernel-size", "512K")],
        },
        new("kernel over the cap without Content-Length", 5, "XMB-405", "over the limit of 524288")
        {
            Scenario = "over-cap-chunked", Kernel = "/assets/os/chunked/vmlinuz", Fault = AssetFault.Chunked,
            Flags = _ => [("--max-kernel-size", "512K")],
        },
        new("args containing NUL, for simple0", 4, "XMB-315", "the profile's arg 2 ('evil=a?kernel /etc/shadow') contains a NUL byte (U+0000)")
        {
            Scenario = "args-nul", ProfileArgs = ["console=hvc0", "evil=a\0kernel /etc/shadow"],
        },
        new("args containing a newline, for simple", 4, "XMB-315", "contains a newline (U+000A)")
        {
            Scenario = "args-newline", ProfileArgs = ["a=b\nramdisk /etc/shadow"], Format = "simple",
        },
        new("args of 8191 bytes or more", 4, "XMB-314", "the kernel command line is 9002 bytes")
        {
            Scenario = "args-long", ProfileArgs = ["x=" + new string('y', 9000)],
        },
        new("lookup with an empty key", 2, "XMB-110", "the key before '=' is empty")
        {
            Lookups = ["=value"],
        },
        new("lookup key given twice with different values", 2, "XMB-112", "gives 'os' twice, as 'a' and as 'b'")
        {
            Lookups = ["os=a", "OS=b"],
        },
        new("redirect loop", 5, "XMB-406", "redirected more than 5 times")
        {
            Scenario = "redirect-loop", Kernel = "/assets/os/loop/vmlinuz", Fault = AssetFault.Redirect("/assets/os/loop/vmlinuz"),
            KernelRequests = 6,   // the first request and five hops, no more
        },
        new("redirect to a file: URL", 5, "XMB-407", "redirected to 'file:///etc/shadow', which uses the file: scheme")
        {
            Scenario = "redirect-file", Kernel = "/assets/os/to-file/vmlinuz", Fault = AssetFault.Redirect("file:///etc/shadow"),
        },
        new("boot that would outlast --timeout", 7, "XMB-601", "deadline of 2 s")
        {
            Scenario = "deadline", Kernel = "/assets/os/slow-deadline/vmlinuz", Fault = AssetFault.SlowBody(64 * 1024),
            Flags = _ => [("--timeout", "2")],
            Within = TimeSpan.FromSeconds(6),
        },
        new("boot that would outlast LIBXL_BOOTLOADER_TIMEOUT", 7, "XMB-601", "deadline of 2 s")
        {
            Scenario = "libxl-timeout", Kernel = "/assets/os/slow-libxl/vmlinuz", Fault = AssetFault.SlowBody(64 * 1024),
            Environment = new() { ["LIBXL_BOOTLOADER_TIMEOUT"] = "12" },   // the deadline is ten seconds under it
        },
        new("asset answering 404", 5, "XMB-401", "answered HTTP 404")
        {
            Scenario = "no-retry-404", Kernel = "/assets/os/gone/vmlinuz", KernelServed = false,
            KernelRequests = 1,   // not retried
        },
    ];

    /// <summary>
    /// The faults of a disk that is full or read-only: a small tmpfs over the output directory, which
    /// takes root. A full disk is refused before writing when the size is known, whether the body would
    /// stream into the output directory (--no-cache) or be copied in whole from a roomy cache beside.
    /// </summary>
    public static readonly FaultCase[] DiskFaults =
    [
        new("full disk, size known, --no-cache", 5, "XMB-408", "no room for")
        {
            Scenario = "disk-full-declared--no-cache", SmallDisk = "size=256k,mode=0600",
            Switches = ["--no-cache"],
        },
        new("full disk, size known, --cache-dir", 5, "XMB-408", "no room for")
        {
            Scenario = "disk-full-declared--cache-dir", SmallDisk = "size=256k,mode=0600",
            Flags = a => [("--cache-dir", a.Run.CacheDirectory)],
        },
        new("disk that fills up while streaming", 5, "XMB-408", "No space left on device")
        {
            Scenario = "disk-full-chunked", Kernel = "/assets/os/chunked-full/vmlinuz", Fault = AssetFault.Chunked,
            SmallDisk = "size=256k,mode=0600", Switches = ["--no-cache"],
        },
        new("read-only output directory", 5, "XMB-404", "Read-only file system")
        {
            Scenario = "read-only-dir", SmallDisk = "ro,size=64k",
        },
    ];

    public static TheoryData<string> FaultNames() => Names(Faults);

    public static TheoryData<string> DiskFaultNames() => Names(DiskFaults);

    [Theory]
    [MemberData(nameof(FaultNames))]
    public Task A_fault_ends_the_boot_with_its_XMB_line(string fault) => BootWith(Faults.Single(c => c.Name == fault));

    [RootTheory]
    [MemberData(nameof(DiskFaultNames))]
    public Task A_disk_fault_ends_the_boot_with_its_XMB_line(string fault) => BootWith(DiskFaults.Single(c => c.Name == fault));

    private static TheoryData<string> Names(FaultCase[] cases)
    {
        var names = new TheoryData<string>();
        foreach (var fault in cases)
        {
            // xunit cuts a longer string argument short in the display name, where cases would blur.
            if (fault.Name.Length > 50) throw new InvalidOperationException($"fault case name over 50 characters: {fault.Name}");
            names.Add(fault.Name);
        }
        return names;
    }

    /// <summary>Arranges the case, boots as libxl would and checks the one XMB line and what the case adds.</summary>
    private async Task BootWith(FaultCase fault)
    {
        var lookups = fault.Lookups ?? [fault.Scenario is null ? "case=x" : Scenario(fault.Scenario, fault.Kernel, fault.ProfileArgs, fault.KernelServed)];
        if (fault.Fault is not null)
        {
            matchbox.Server.Faults.Set(fault.Kernel, fault.Fault);
        }
        using var run = new LibxlRun();
        using var disk = fault.SmallDisk is null ? null : new SmallFilesystem(run.OutputDirectory, fault.SmallDisk);
        using var arrangement = new Arrangement(matchbox, run);
        var args = matchbox.BootloaderArgs(lookups);
        foreach (var (flag, value) in fault.Flags(arrangement)) With(args, flag, value);
        args.AddRange(fault.Switches);
        var clock = Stopwatch.StartNew();

        var outcome = await run.RunAsync([.. run.LibxlFlags(format: fault.Format), .. args, run.DiskPath], environment: fault.Environment);

        AssertFailed(outcome, fault.Exit, fault.Code, fault.Cause.Replace(FaultCase.RunDirectory, run.XenLibDir));
        if (fault.Within is { } within)
        {
            Assert.True(clock.Elapsed < within, $"took {clock.Elapsed}");
        }
        if (fault.KernelRequests is { } requests)
        {
            Assert.Equal(requests, matchbox.Server.Counters.Requests(fault.Kernel));
        }
    }

    /// <summary>A client certificate of the server's own CA that has expired, in place of the valid one.</summary>
    private static (string Flag, string Value)[] ExpiredClientCertificate(Arrangement a)
    {
        var expired = a.Keep(a.Matchbox.Server.Certificates!.IssueExpiredClient());
        var cert = Path.Combine(a.Run.XenLibDir, "expired.crt");
        var key = Path.Combine(a.Run.XenLibDir, "expired.key");
        TestCertificates.WritePem(expired, cert, key);
        return [("--cert", cert), ("--key", key)];
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
    public async Task A_lookup_value_with_spaces_and_ampersands_reaches_matchbox_unchanged()
    {
        using var run = new LibxlRun();

        // An argument with a blank is split as a shell splits words (libvirt's one string): quoted, it stays one.
        var outcome = await run.BootAsync(matchbox.BootloaderArgs("'case=a b&c=d?e#f'"));

        AssertFailed(outcome, 3, "XMB-201", "case=a b&c=d?e#f");
        Assert.Contains(matchbox.Server.ReceivedLabels, labels => labels.Count == 1 && labels["case"] == "a b&c=d?e#f");
    }
}
