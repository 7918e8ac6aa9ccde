using System.Security.Cryptography;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using XenMatchbox.TestServer;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// The example files in examples/ work as the README says: each domU config's bootloader_args boot
/// the guest (with examples/xenmatchbox.conf where the config relies on it), and pvh-direct.cfg's
/// kernel/ramdisk/cmdline lines are exactly what `stage` prints for that guest. Only the server's
/// address, ports, certificate paths and directories are put in for this machine.
/// </summary>
public sealed partial class ExampleConfigTests : IAsyncLifetime
{
    private const string KernelPath = "/assets/fedora-coreos/fedora-coreos-live-kernel-x86_64";
    private const string InitramfsPath = "/assets/fedora-coreos/fedora-coreos-live-initramfs.x86_64.img";
    private const string RootfsUrl = "http://matchbox.example.com:8080/assets/fedora-coreos/fedora-coreos-live-rootfs.x86_64.img";

    private readonly string assets = Directory.CreateTempSubdirectory("xmb-examples-assets-").FullName;
    private readonly string scratch = Directory.CreateTempSubdirectory("xmb-examples-").FullName;
    private readonly byte[] kernel = RandomNumberGenerator.GetBytes(64 * 1024);
    private readonly byte[] initramfs = RandomNumberGenerator.GetBytes(96 * 1024);
    private MatchboxTestServer matchbox = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(assets, "fedora-coreos"));
        await File.WriteAllBytesAsync(Path.Combine(assets, "fedora-coreos", "fedora-coreos-live-kernel-x86_64"), kernel);
        await File.WriteAllBytesAsync(Path.Combine(assets, "fedora-coreos", "fedora-coreos-live-initramfs.x86_64.img"), initramfs);
        matchbox = await MatchboxTestServer.StartAsync(new MatchboxTestServerOptions { AssetsPath = assets });
        MatchboxBoot Boot(string ignitionQuery) => new()
        {
            Kernel = KernelPath,
            Initrd = [$"--name main {InitramfsPath}"],
            Args = ["initrd=main", $"coreos.live.rootfs_url={RootfsUrl}", "ignition.firstboot", "ignition.platform.id=metal",
                    $"ignition.config.url=http://matchbox.example.com:8080/ignition?{ignitionQuery}"],
        };
        MatchboxGroup Group(string id, string profile, string key, string value) =>
            new() { Id = id, Profile = profile, Selector = new Dictionary<string, string> { [key] = value } };
        matchbox.Store = new FixedStore(
            [
                Group("pv", "fcos", "mac", "52:54:00:aa:bb:cc"),
                Group("http-only", "fcos", "mac", "52:54:00:aa:bb:cd"),
                Group("pvh", "fcos-by-uuid", "uuid", UuidOf("pvh.cfg")),
                Group("direct", "fcos", "mac", "52:54:00:aa:bb:cf"),
                Group("libvirt", "fcos", "mac", "52:54:00:aa:bb:ce"),
            ],
            [
                new MatchboxProfile { Id = "fcos", Boot = Boot("mac=${mac:hexhyp}") },
                new MatchboxProfile { Id = "fcos-by-uuid", Boot = Boot("uuid=${uuid}") },
            ]);
    }

    private static string Example(string name) => File.ReadAllText(Path.Combine(PublishedProgram.RepositoryRoot, "examples", name));

    [GeneratedRegex(@"^bootloader_args\s*=\s*\[(?<list>[^\]]*)\]", RegexOptions.Multiline)]
    private static partial Regex BootloaderArgs();

    [GeneratedRegex("\"(?<item>[^\"]*)\"")]
    private static partial Regex Quoted();

    [GeneratedRegex("^uuid\\s*=\\s*\"(?<uuid>[^\"]+)\"", RegexOptions.Multiline)]
    private static partial Regex UuidLine();

    /// <summary>A config's bootloader_args, as xl passes them, with the server and port put in for this machine.</summary>
    private List<string> ArgsOf(string config)
    {
        var list = BootloaderArgs().Match(Example(config));
        Assert.True(list.Success, $"examples/{config} has no bootloader_args");
        return Quoted().Matches(list.Groups["list"].Value)
            .Select(m => m.Groups["item"].Value.Replace("matchbox.example.com", "127.0.0.1").Replace("8080", matchbox.HttpPort.ToString()))
            .ToList();
    }

    private static string UuidOf(string config) => UuidLine().Match(Example(config)).Groups["uuid"].Value;

    /// <summary>examples/xenmatchbox.conf with this machine's server, ports, certificates and cache.</summary>
    private string HostConfig()
    {
        var files = matchbox.CertificateFiles!;
        var text = Example("xenmatchbox.conf")
            .Replace("matchbox.example.com", "127.0.0.1")
            .Replace("8080", matchbox.HttpPort.ToString())
            .Replace("8081", matchbox.GrpcPort.ToString())
            .Replace("/etc/matchbox/ca.crt", files.CaFile)
            .Replace("/etc/matchbox/client.crt", files.ClientCertFile)
            .Replace("/etc/matchbox/client.key", files.ClientKeyFile)
            .Replace("/var/cache/xenmatchbox", Path.Combine(scratch, "cache"));
        var path = Path.Combine(scratch, "xenmatchbox.conf");
        File.WriteAllText(path, text);
        return path;
    }

    private static string Ignition(string query) =>
        $"initrd=main coreos.live.rootfs_url={RootfsUrl} ignition.firstboot ignition.platform.id=metal ignition.config.url=http://matchbox.example.com:8080/ignition?{query}";

    private void Booted(LibxlRun run, BootOutcome outcome, string args)
    {
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Equal(args, outcome.Result.Args);
        Assert.Equal(kernel, File.ReadAllBytes(Path.Combine(run.OutputDirectory, "kernel")));
        Assert.Equal(initramfs, File.ReadAllBytes(Path.Combine(run.OutputDirectory, "ramdisk")));
    }

    [Fact]
    public async Task The_pv_example_boots_with_only_its_label_and_the_host_config_file()
    {
        var args = ArgsOf("pv.cfg");
        Assert.Equal(["--lookup", "mac=52:54:00:aa:bb:cc"], args);
        using var run = new LibxlRun();
        var outcome = await run.RunAsync([.. run.LibxlFlags("console=hvc0"), "--config", HostConfig(), .. args, run.DiskPath]);
        Booted(run, outcome, Ignition("mac=52-54-00-aa-bb-cc") + " console=hvc0");
    }

    [Fact]
    public async Task The_http_only_example_boots_without_any_certificate()
    {
        var args = ArgsOf("http-only.cfg");
        Assert.DoesNotContain(args, arg => arg is "--cert" or "--key" or "--ca");
        int GrpcConnections() => matchbox.Connections.Count(connection => connection.Listener == MatchboxListener.Grpc);
        var before = GrpcConnections();
        using var run = new LibxlRun();
        var outcome = await run.RunAsync([.. run.LibxlFlags("console=hvc0"), .. args, run.DiskPath]);
        Booted(run, outcome, Ignition("mac=52-54-00-aa-bb-cd") + " console=hvc0");
        // Over HTTP: not one gRPC connection.
        Assert.Equal(before, GrpcConnections());
    }

    [Fact]
    public async Task The_pvh_example_is_looked_up_by_its_own_uuid_from_xenstore()
    {
        var args = ArgsOf("pvh.cfg");
        Assert.Equal(["--lookup", "uuid"], args);
        var uuid = UuidOf("pvh.cfg");
        using var run = new LibxlRun();
        var outcome = await run.RunAsync(
            [.. run.LibxlFlags("console=hvc0"), "--config", HostConfig(), .. args, run.DiskPath],
            environment: FakeXenstore.For(scratch, run.Domid, uuid, "fcos-pvh"));
        Booted(run, outcome, Ignition($"uuid={uuid}") + " console=hvc0");
    }

    [Fact]
    public async Task The_direct_boot_example_holds_exactly_the_stanza_stage_prints()
    {
        var example = Example("pvh-direct.cfg");
        var stanza = string.Concat(example.Split('\n')
            .Where(line => line.StartsWith("kernel = ", StringComparison.Ordinal) || line.StartsWith("ramdisk = ", StringComparison.Ordinal) || line.StartsWith("cmdline = ", StringComparison.Ordinal))
            .Select(line => line + "\n"));
        var command = Regex.Match(example, @"#\s+xenmatchbox stage --dir (?<dir>\S+) --lookup (?<label>\S+) --args (?<args>\S+)");
        Assert.True(command.Success, "pvh-direct.cfg does not say how to stage");
        var dir = Path.Combine(scratch, "srv", "fcos-direct");
        using var run = new LibxlRun();
        var outcome = await run.RunAsync(
            ["stage", "--dir", dir, "--config", HostConfig(), "--lookup", command.Groups["label"].Value, "--args", command.Groups["args"].Value]);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Equal(stanza.Replace(command.Groups["dir"].Value, dir), outcome.Stdout);
    }

    [Fact]
    public async Task The_libvirt_example_boots_from_its_bootloader_args_as_one_argument()
    {
        // libvirt's libxl driver hands <bootloader_args> to libxl whole (it splits only at the
        // sequence space-tab-newline), and <cmdline> as libxl's --args.
        var domain = XDocument.Parse(Example("libvirt.xml")).Root!;
        Assert.Equal("/usr/bin/xenmatchbox", domain.Element("bootloader")?.Value);
        var files = matchbox.CertificateFiles!;
        var element = domain.Element("bootloader_args")!.Value
            .Replace("matchbox.example.com", $"127.0.0.1 --httpport {matchbox.HttpPort} --grpcport {matchbox.GrpcPort}")
            .Replace("/etc/matchbox/ca.crt", files.CaFile)
            .Replace("/etc/matchbox/client.crt", files.ClientCertFile)
            .Replace("/etc/matchbox/client.key", files.ClientKeyFile);
        var cmdline = domain.Element("os")!.Element("cmdline")!.Value;
        Assert.Equal("52:54:00:aa:bb:ce", domain.Descendants("mac").Single().Attribute("address")?.Value);
        using var run = new LibxlRun();
        var outcome = await run.RunAsync([.. run.LibxlFlags(cmdline), element, run.DiskPath]);
        Booted(run, outcome, Ignition("mac=52-54-00-aa-bb-ce") + " " + cmdline);
        // Over gRPC: the client certificate of the one string was used.
        Assert.Contains(matchbox.Connections, connection => connection.Listener == MatchboxListener.Grpc);
    }

    [Fact]
    public async Task A_libvirt_string_with_a_quote_left_open_is_one_XMB_121_line()
    {
        using var run = new LibxlRun();
        var outcome = await run.RunAsync([.. run.LibxlFlags("console=hvc0"), "--server 127.0.0.1 --lookup 'name=my guest", run.DiskPath]);
        Assert.Equal(2, outcome.ExitCode);
        Assert.StartsWith("xenmatchbox: XMB-121: the argument '--server 127.0.0.1 --lookup 'name=my guest' cannot be split into words", outcome.ErrorLine);
        Assert.Empty(outcome.DirectoryEntries);
        Assert.Empty(outcome.OutputFile);
    }

    public async Task DisposeAsync()
    {
        await matchbox.DisposeAsync();
        Directory.Delete(assets, recursive: true);
        Directory.Delete(scratch, recursive: true);
    }
}
