using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using XenMatchbox.TestServer;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// What operators run besides a plain boot, through the real program: the HTTP-only lookup from
/// /ipxe (both script shapes), dry runs, stage's xl stanza, the configuration file and environment,
/// and the domain's own labels from a stand-in xenstore-read.
/// </summary>
public sealed class OperatorFeatureTests : IAsyncLifetime
{
    private const string KernelPath = "/assets/os/vmlinuz";
    private const string InitrdAPath = "/assets/os/initrd-a.img";
    private const string InitrdBPath = "/assets/os/initrd-b.img";
    private const string Uuid = "5eb0a0a4-0c6b-4b9a-9d3e-2f6a1c7b8d90";

    private readonly string assets = Directory.CreateTempSubdirectory("xmb-operator-assets-").FullName;
    private readonly string scratch = Directory.CreateTempSubdirectory("xmb-operator-").FullName;
    private readonly byte[] kernel = RandomNumberGenerator.GetBytes(1 << 20);
    private readonly byte[] initrdA = RandomNumberGenerator.GetBytes(300_000);
    private readonly byte[] initrdB = RandomNumberGenerator.GetBytes(70_001);
    private MatchboxTestServer matchbox = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(assets, "os"));
        await File.WriteAllBytesAsync(Path.Combine(assets, "os", "vmlinuz"), kernel);
        await File.WriteAllBytesAsync(Path.Combine(assets, "os", "initrd-a.img"), initrdA);
        await File.WriteAllBytesAsync(Path.Combine(assets, "os", "initrd-b.img"), initrdB);
        matchbox = await MatchboxTestServer.StartAsync(new MatchboxTestServerOptions { AssetsPath = assets });
        var full = new MatchboxBoot
        {
            Kernel = KernelPath,
            Initrd = [$"--name main {InitrdAPath}", InitrdBPath],
            Args = ["console=hvc0", "xmb.mac=${mac:hexhyp}", "coreos.inst=yes"],
        };
        matchbox.Store = new FixedStore(
            [
                Group("full", ("mac", MatchboxFixture.Mac)),
                Group("domain", ("uuid", Uuid)),
                Group("expand", ("case", "expand")),
                Group("smuggled", ("case", "smuggled")),
            ],
            [
                new MatchboxProfile { Id = "full", Boot = full },
                new MatchboxProfile { Id = "domain", Boot = new MatchboxBoot { Kernel = KernelPath, Args = ["xmb.uuid=${uuid}"] } },
                new MatchboxProfile
                {
                    Id = "expand",
                    Boot = new MatchboxBoot { Kernel = KernelPath, Args = ["xmb.uuid=${uuid}", "xmb.name={{ .name }}"] },
                },
                // An arg with a newline puts a line of its own into the /ipxe script.
                new MatchboxProfile
                {
                    Id = "smuggled",
                    Boot = new MatchboxBoot { Kernel = KernelPath, Args = ["console=hvc0\nchain http://elsewhere/x.ipxe"] },
                },
            ]);
    }

    private static MatchboxGroup Group(string name, (string Key, string Value) selector) =>
        new() { Id = name, Profile = name, Selector = new Dictionary<string, string> { [selector.Key] = selector.Value } };

    /// <summary>bootloader_args reaching the server: with the gRPC client certificate, or HTTP only.</summary>
    private List<string> Args(bool grpc, params string[] lookups)
    {
        var files = matchbox.CertificateFiles!;
        var args = new List<string> { "--server", "127.0.0.1", "--httpport", matchbox.HttpPort.ToString(), "--ca", files.CaFile };
        if (grpc)
        {
            args.AddRange(["--grpcport", matchbox.GrpcPort.ToString(), "--cert", files.ClientCertFile, "--key", files.ClientKeyFile]);
        }
        foreach (var lookup in lookups)
        {
            args.AddRange(["--lookup", lookup]);
        }
        return args;
    }

    private static void Succeeded(BootOutcome outcome) => Assert.True(outcome.ExitCode == 0, outcome.ToString());

    [Theory]
    [InlineData(IpxeStyle.Current)]
    [InlineData(IpxeStyle.LegacyV061)]
    public async Task Without_a_client_certificate_the_profile_comes_from_ipxe_and_the_boot_is_the_same(IpxeStyle style)
    {
        matchbox.IpxeStyle = style;
        using var grpcRun = new LibxlRun();
        var overGrpc = await grpcRun.BootAsync(Args(grpc: true, $"mac={MatchboxFixture.Mac}"), configArgs: "quiet");
        Succeeded(overGrpc);
        var ipxeBefore = matchbox.Counters.Requests("/ipxe");

        using var httpRun = new LibxlRun();
        var overHttp = await httpRun.BootAsync(Args(grpc: false, "mac=52-54-00-AA-BB-CC"), configArgs: "quiet");
        Succeeded(overHttp);
        Assert.Equal(ipxeBefore + 1, matchbox.Counters.Requests("/ipxe"));
        Assert.Equal(overGrpc.Result.Args, overHttp.Result.Args);
        Assert.Equal("console=hvc0 xmb.mac=52-54-00-aa-bb-cc coreos.inst=yes quiet", overHttp.Result.Args);
        Assert.Equal(kernel, File.ReadAllBytes(overHttp.Result.Kernel!));
        Assert.Equal([.. initrdA, .. initrdB], File.ReadAllBytes(overHttp.Result.Ramdisk!));
    }

    [Fact]
    public async Task Http_only_uses_ipxe_even_with_a_client_certificate()
    {
        matchbox.IpxeStyle = IpxeStyle.Current;
        var before = matchbox.Counters.Requests("/ipxe");
        using var run = new LibxlRun();
        var outcome = await run.BootAsync([.. Args(grpc: true, $"mac={MatchboxFixture.Mac}"), "--http-only"]);
        Succeeded(outcome);
        Assert.Equal(before + 1, matchbox.Counters.Requests("/ipxe"));
    }

    [Fact]
    public async Task Http_only_with_no_matching_group_is_XMB_201()
    {
        using var run = new LibxlRun();
        var outcome = await run.BootAsync(Args(grpc: false, "mac=52:54:00:00:00:99"));
        Assert.Equal(3, outcome.ExitCode);
        Assert.StartsWith("xenmatchbox: XMB-201: ", outcome.ErrorLine);
        Assert.Empty(outcome.OutputFile);
        Assert.Empty(outcome.DirectoryEntries);
    }

    [Fact]
    public async Task A_script_line_an_arg_smuggled_in_is_XMB_315_naming_the_line_as_over_gRPC()
    {
        matchbox.IpxeStyle = IpxeStyle.Current;
        using var run = new LibxlRun();
        var outcome = await run.BootAsync(Args(grpc: false, "case=smuggled"));
        Assert.Equal(4, outcome.ExitCode);
        Assert.StartsWith("xenmatchbox: XMB-315: ", outcome.ErrorLine);
        Assert.Contains("runs on into line 3, 'chain http://elsewhere/x.ipxe'", outcome.ErrorLine);
        Assert.Empty(outcome.OutputFile);
        Assert.Empty(outcome.DirectoryEntries);

        using var overGrpc = new LibxlRun();
        Assert.StartsWith("xenmatchbox: XMB-315: ", (await overGrpc.BootAsync(Args(grpc: true, "case=smuggled"))).ErrorLine);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Show_prints_the_plan_with_sizes_and_downloads_nothing(bool grpc)
    {
        var before = matchbox.Counters.Snapshot();
        using var run = new LibxlRun();
        var outcome = await run.RunAsync(["show", .. Args(grpc, $"mac={MatchboxFixture.Mac}"), "--args=quiet"]);
        Succeeded(outcome);
        var lines = outcome.Stdout.Split('\n');
        Assert.Equal($"version:  {Release.Version} ({Release.Commit})", lines[0]);
        Assert.Equal($"xenmatchbox: version {Release.Version} ({Release.Commit})", outcome.Stderr.Split('\n')[0]);
        // /ipxe answers with the script alone: the lookup it came from stands in for the profile's id.
        Assert.Contains(grpc ? "profile:  full" : $"profile:  /ipxe?mac={MatchboxFixture.Mac}", lines);
        Assert.Contains($"labels:   mac={MatchboxFixture.Mac}", lines);
        Assert.Contains($"kernel:   http://127.0.0.1:{matchbox.HttpPort}{KernelPath} ({IecSize.Of(kernel.Length)})", lines);
        Assert.Contains($"initrd:   http://127.0.0.1:{matchbox.HttpPort}{InitrdAPath} ({IecSize.Of(initrdA.Length)})", lines);
        Assert.Contains($"initrd:   http://127.0.0.1:{matchbox.HttpPort}{InitrdBPath} ({IecSize.Of(initrdB.Length)})", lines);
        Assert.Contains("args:     console=hvc0 xmb.mac=52-54-00-aa-bb-cc coreos.inst=yes quiet", lines);
        Assert.Contains(@"kernel <output-directory>/kernel\0ramdisk <output-directory>/ramdisk\0args console=hvc0 xmb.mac=52-54-00-aa-bb-cc coreos.inst=yes quiet\0\0", lines);
        foreach (var path in new[] { KernelPath, InitrdAPath, InitrdBPath })
        {
            // One HEAD each, and not one body byte.
            Assert.Equal(before.GetValueOrDefault(path).Requests + 1, matchbox.Counters.Requests(path));
            Assert.Equal(before.GetValueOrDefault(path).BodyBytes, matchbox.Counters.BodyBytes(path));
        }
        Assert.False(Directory.Exists(run.CacheDirectory), "a dry run made a cache");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Show_json_prints_the_plan_as_one_object_a_script_reads(bool grpc)
    {
        const string configArgs = "quiet msg=\"a \\\"b\\\" c\\d\" é中";
        using var run = new LibxlRun();

        var outcome = await run.RunAsync(["show", .. Args(grpc, $"mac={MatchboxFixture.Mac}"), $"--args={configArgs}", "--json"]);

        Succeeded(outcome);
        Assert.EndsWith("}\n", outcome.Stdout);
        using var report = JsonDocument.Parse(outcome.Stdout);
        var root = report.RootElement;
        Assert.Equal(1, root.GetProperty("format").GetInt32());
        Assert.Equal(Release.Version, root.GetProperty("version").GetString());
        Assert.Equal(grpc ? "full" : $"/ipxe?mac={MatchboxFixture.Mac}", root.GetProperty("profile").GetString());
        Assert.Equal(MatchboxFixture.Mac, root.GetProperty("labels").GetProperty("mac").GetString());
        var lookup = root.GetProperty("lookup");
        Assert.Equal(grpc ? "gRPC" : "HTTP", lookup.GetProperty("protocol").GetString());
        Assert.Equal(grpc ? $"127.0.0.1:{matchbox.GrpcPort}" : $"http://127.0.0.1:{matchbox.HttpPort}/ipxe?mac={Uri.EscapeDataString(MatchboxFixture.Mac)}", lookup.GetProperty("endpoint").GetString());
        Assert.Equal(JsonValueKind.Null, lookup.GetProperty("signer").ValueKind);
        var assets = root.GetProperty("assets").EnumerateArray().ToList();
        Assert.Equal(["kernel", "initrd", "initrd"], assets.Select(a => a.GetProperty("role").GetString()));
        Assert.Equal(
            [$"http://127.0.0.1:{matchbox.HttpPort}{KernelPath}", $"http://127.0.0.1:{matchbox.HttpPort}{InitrdAPath}", $"http://127.0.0.1:{matchbox.HttpPort}{InitrdBPath}"],
            assets.Select(a => a.GetProperty("url").GetString()));
        Assert.Equal([kernel.Length, initrdA.Length, initrdB.Length], assets.Select(a => a.GetProperty("head").GetProperty("bytes").GetInt32()));
        Assert.All(assets, a => Assert.Equal("declared", a.GetProperty("head").GetProperty("status").GetString()));
        Assert.All(assets, a => Assert.Equal("unchecked", a.GetProperty("signature").GetProperty("status").GetString()));
        Assert.Equal(kernel.Length + initrdA.Length + initrdB.Length, root.GetProperty("download").GetProperty("declaredBytes").GetInt32());
        Assert.True(root.GetProperty("verdict").GetProperty("ok").GetBoolean());
        var args = $"console=hvc0 xmb.mac=52-54-00-aa-bb-cc coreos.inst=yes {configArgs}";
        Assert.Equal(args, root.GetProperty("args").GetString());
        var output = root.GetProperty("output");
        Assert.Equal("simple0", output.GetProperty("format").GetString());
        Assert.Equal("<output-directory>/kernel", output.GetProperty("kernel").GetString());
        Assert.Equal("<output-directory>/ramdisk", output.GetProperty("ramdisk").GetString());
        Assert.Equal(args, output.GetProperty("args").GetString());
        var bytes = Encoding.UTF8.GetBytes($"kernel <output-directory>/kernel\0ramdisk <output-directory>/ramdisk\0args {args}\0\0");
        Assert.Equal(bytes, output.GetProperty("base64").GetBytesFromBase64());
        Assert.Equal(Encoding.UTF8.GetString(bytes), output.GetProperty("text").GetString());
        // The lines on standard error are those of a text show.
        Assert.Equal($"xenmatchbox: version {Release.Version} ({Release.Commit})", outcome.Stderr.Split('\n')[0]);
    }

    [Fact]
    public async Task Show_json_with_no_matching_group_prints_no_report_and_ends_as_the_text_show_does()
    {
        using var run = new LibxlRun();

        var outcome = await run.RunAsync(["show", .. Args(grpc: false, "mac=52:54:00:00:00:99"), "--json"]);

        Assert.Equal(3, outcome.ExitCode);
        Assert.StartsWith("xenmatchbox: XMB-201: ", outcome.ErrorLine);
        Assert.Equal("", outcome.Stdout);
    }

    /// <summary>
    /// `xenmatchbox show` over HTTP for the fixture's MAC, through a bash <paramref name="shell"/>
    /// command whose "$@" is the program's argv; its exit status and every line it wrote.
    /// </summary>
    private async Task<(int ExitCode, string[] Lines)> ShowThroughShellAsync(string shell)
    {
        var start = new System.Diagnostics.ProcessStartInfo("/bin/bash")
        {
            ArgumentList = { "-c", shell, "bash", PublishedProgram.AotExecutable, "show" },
            Environment = { ["XENMATCHBOX_CONFIG"] = "/dev/null" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in Args(grpc: false, $"mac={MatchboxFixture.Mac}"))
        {
            start.ArgumentList.Add(arg);
        }
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, (await stdout + await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Show_with_both_streams_sent_to_one_file_keeps_every_line_whole()
    {
        // `xenmatchbox show … > log 2>&1`: both descriptors share one file offset, so no line may
        // overwrite another.
        var log = Path.Combine(scratch, "show.log");
        var (exit, _) = await ShowThroughShellAsync($"exec \"$@\" >'{log}' 2>&1");
        Assert.Equal(0, exit);
        var lines = File.ReadAllLines(log);
        Assert.Contains($"xenmatchbox: profile /ipxe?mac={MatchboxFixture.Mac} matches mac={MatchboxFixture.Mac}", lines);
        Assert.Contains($"labels:   mac={MatchboxFixture.Mac}", lines);
        Assert.Contains(lines, line => line.StartsWith("download: ", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("kernel <output-directory>/kernel\\0", StringComparison.Ordinal));
        Assert.Equal(13, lines.Length);   // the two on stderr (version, profile), and the eleven of the report
    }

    [Theory]
    [InlineData("exec \"$@\" >&-", 6, "xenmatchbox: XMB-505: cannot write the result to standard output: Bad file descriptor")]
    // head reads the version line and the profile line, then goes away mid-report.
    [InlineData("\"$@\" | head -n 2; exit ${PIPESTATUS[0]}", 0, "profile:  /ipxe?mac=52:54:00:aa:bb:cc")]
    public async Task Show_says_when_standard_output_is_closed_and_stops_quietly_when_its_reader_is_gone(string shell, int exit, string lastLine)
    {
        var (status, said) = await ShowThroughShellAsync(shell);
        Assert.Equal(exit, status);
        Assert.Contains(said, line => line.StartsWith(lastLine, StringComparison.Ordinal));
        Assert.DoesNotContain(said, line => line.Contains("XMB-900", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Not_really_in_bootloader_mode_writes_nothing_for_libxl()
    {
        var before = matchbox.Counters.BodyBytes(KernelPath);
        using var run = new LibxlRun();
        var outcome = await run.BootAsync([.. Args(grpc: true, $"mac={MatchboxFixture.Mac}"), "--not-really"]);
        Succeeded(outcome);
        Assert.Empty(outcome.OutputFile);
        Assert.Empty(outcome.DirectoryEntries);
        Assert.Equal(before, matchbox.Counters.BodyBytes(KernelPath));
        Assert.Contains($"kernel {run.OutputDirectory}/kernel\\0ramdisk {run.OutputDirectory}/ramdisk\\0", outcome.Stdout);
    }

    [Fact]
    public async Task Stage_downloads_into_its_directory_and_prints_the_golden_stanza()
    {
        var dir = Path.Combine(scratch, "staged guest");
        using var run = new LibxlRun();
        var outcome = await run.RunAsync(["stage", "--dir", dir, .. Args(grpc: true, $"mac={MatchboxFixture.Mac}"), "--args=root=\"/dev/xvda\""]);
        Succeeded(outcome);
        var golden = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "golden", "stage.expected")).Replace("@DIR@", dir);
        Assert.Equal(golden, outcome.Stdout);
        Assert.Equal(kernel, File.ReadAllBytes(Path.Combine(dir, "kernel")));
        Assert.Equal([.. initrdA, .. initrdB], File.ReadAllBytes(Path.Combine(dir, "ramdisk")));
        Assert.Equal(["kernel", "ramdisk"], Directory.GetFileSystemEntries(dir).Select(Path.GetFileName).Order());

        // Staging again replaces the files in place.
        var again = await run.RunAsync(["stage", "--dir", dir, .. Args(grpc: false, $"mac={MatchboxFixture.Mac}"), "--args=root=\"/dev/xvda\""]);
        Succeeded(again);
        Assert.Equal(golden, again.Stdout);
        Assert.Equal(["kernel", "ramdisk"], Directory.GetFileSystemEntries(dir).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task A_config_file_holds_the_server_so_bootloader_args_need_only_the_label()
    {
        var files = matchbox.CertificateFiles!;
        var config = Path.Combine(scratch, "xenmatchbox.conf");
        File.WriteAllText(config, $"""
            # matchbox for this rack
            server = 127.0.0.1
            httpport = {matchbox.HttpPort}
            grpcport = {matchbox.GrpcPort}
            ca = {files.CaFile}
            cert = {files.ClientCertFile}
            key = {files.ClientKeyFile}

            """);
        using var run = new LibxlRun();
        var outcome = await run.BootAsync(["--config", config, "--lookup", $"mac={MatchboxFixture.Mac}"]);
        Succeeded(outcome);
        Assert.Equal(kernel, File.ReadAllBytes(outcome.Result.Kernel!));

        // The environment overrides the file, and the command line overrides both.
        var wrongPort = new Dictionary<string, string> { ["XENMATCHBOX_CONFIG"] = config, ["XENMATCHBOX_GRPCPORT"] = "1" };
        using var overridden = new LibxlRun();
        var refused = await overridden.RunAsync([.. overridden.LibxlFlags(), "--lookup", $"mac={MatchboxFixture.Mac}", overridden.DiskPath], environment: wrongPort);
        Assert.Equal(3, refused.ExitCode);
        Assert.Contains(":1", refused.ErrorLine);
        using var corrected = new LibxlRun();
        var fixedByArgv = await corrected.RunAsync(
            [.. corrected.LibxlFlags(), "--grpcport", matchbox.GrpcPort.ToString(), "--lookup", $"mac={MatchboxFixture.Mac}", corrected.DiskPath],
            environment: wrongPort);
        Succeeded(fixedByArgv);
    }

    [Fact]
    public async Task An_unknown_key_in_the_config_file_is_XMB_115_naming_the_key_and_line()
    {
        var config = Path.Combine(scratch, "typo.conf");
        File.WriteAllText(config, "server = 127.0.0.1\n\ngrcpport = 8081\n");
        using var run = new LibxlRun();
        var outcome = await run.BootAsync(["--config", config, "--lookup", $"mac={MatchboxFixture.Mac}"]);
        Assert.Equal(2, outcome.ExitCode);
        Assert.Equal($"xenmatchbox: XMB-115: {config} line 3: unknown key 'grcpport' — correct or remove that line; each line is 'key = value' with a key from 'xenmatchbox --help', or a # comment", outcome.ErrorLine);
        Assert.Empty(outcome.OutputFile);
    }

    [Theory]
    [InlineData("absent.conf", "there is no such file")]
    [InlineData("a-directory", "it is a directory")]
    [InlineData("latin1.conf", "it is not UTF-8 text")]
    [InlineData("huge.conf", "it is larger than 64 KiB; a configuration file is a few lines")]
    public async Task A_named_config_file_that_cannot_be_read_is_XMB_116_saying_why(string name, string why)
    {
        var path = Path.Combine(scratch, name);
        switch (name)
        {
            case "a-directory": Directory.CreateDirectory(path); break;
            case "latin1.conf": File.WriteAllBytes(path, [.. "server = caf"u8, 0xE9, (byte)'\n']); break;
            case "huge.conf": File.WriteAllText(path, string.Concat(Enumerable.Repeat("# a comment line of no use\n", 3000))); break;
        }
        using var run = new LibxlRun();
        var outcome = await run.BootAsync(["--config", path, .. Args(grpc: true, $"mac={MatchboxFixture.Mac}")]);
        Assert.Equal(2, outcome.ExitCode);
        Assert.Equal(
            $"xenmatchbox: XMB-116: cannot read the configuration file {path}: {why} — check the path and permissions given with --config (or XENMATCHBOX_CONFIG)",
            outcome.ErrorLine);
        Assert.Empty(outcome.OutputFile);
    }

    private Dictionary<string, string> FakeXenstore(int domid, string name) => IntegrationTests.FakeXenstore.For(scratch, domid, Uuid, name);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_bare_lookup_uuid_reads_the_domains_uuid_from_xenstore(bool grpc)
    {
        using var run = new LibxlRun();
        var outcome = await run.RunAsync([.. run.LibxlFlags(), .. Args(grpc, "uuid"), run.DiskPath], environment: FakeXenstore(run.Domid, "fcos-1"));
        Succeeded(outcome);
        Assert.Equal($"xmb.uuid={Uuid}", outcome.Result.Args);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_profiles_args_get_the_domains_uuid_and_name_when_they_use_them(bool grpc)
    {
        // Over HTTP the /ipxe script splits "{{ .name }}" at its spaces; it must still expand.
        using var run = new LibxlRun();
        var outcome = await run.RunAsync([.. run.LibxlFlags(), .. Args(grpc, "case=expand"), run.DiskPath], environment: FakeXenstore(run.Domid, "fcos-1"));
        Succeeded(outcome);
        Assert.Equal($"xmb.uuid={Uuid} xmb.name=fcos-1", outcome.Result.Args);
    }

    [Fact]
    public async Task Without_xenstore_only_a_boot_that_needs_the_domains_labels_fails_and_says_why()
    {
        var noXenstore = new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin" };
        using var plain = new LibxlRun();
        Succeeded(await plain.RunAsync([.. plain.LibxlFlags(), .. Args(true, $"mac={MatchboxFixture.Mac}"), plain.DiskPath], environment: noXenstore));

        using var needy = new LibxlRun();
        var outcome = await needy.RunAsync([.. needy.LibxlFlags(), .. Args(true, "uuid"), needy.DiskPath], environment: noXenstore);
        Assert.Equal(3, outcome.ExitCode);
        Assert.StartsWith("xenmatchbox: XMB-212: the domain's uuid is needed but cannot be read from xenstore: xenstore-read cannot be run", outcome.ErrorLine);
        Assert.Empty(outcome.OutputFile);

        using var expanding = new LibxlRun();
        var expanded = await expanding.RunAsync([.. expanding.LibxlFlags(), .. Args(true, "case=expand"), expanding.DiskPath], environment: noXenstore);
        Assert.Equal(3, expanded.ExitCode);
        Assert.StartsWith("xenmatchbox: XMB-212: the domain's uuid is needed", expanded.ErrorLine);
        Assert.Empty(expanded.DirectoryEntries);
    }

    [Fact]
    public async Task Show_by_hand_with_a_bare_uuid_says_how_to_give_it_with_lookup()
    {
        using var run = new LibxlRun();
        var outcome = await run.RunAsync(["show", .. Args(true, "uuid"), "--lookup", "name"]);
        Assert.Equal(3, outcome.ExitCode);
        Assert.Equal(
            "xenmatchbox: XMB-212: the domain's uuid and the domain's name are needed but cannot be read from xenstore: "
            + "libxl's output paths (bootloader.<domid>.out) name no domain, so this is a run by hand, not xl's — "
            + "give them with --lookup uuid=<the domain's uuid> --lookup name=<the domain's name>, or run xenmatchbox under xl in dom0 (xenstore-read on PATH)",
            outcome.ErrorLine);
    }

    public async Task DisposeAsync()
    {
        await matchbox.DisposeAsync();
        Directory.Delete(assets, recursive: true);
        Directory.Delete(scratch, recursive: true);
    }
}
