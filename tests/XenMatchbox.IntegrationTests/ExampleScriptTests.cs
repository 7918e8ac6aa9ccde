using System.Diagnostics;
using System.Xml.Linq;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// examples/lookup.fsx, run with dotnet fsi as the README shows: the Domain library used from a
/// script as the NuGet package XenMatchbox.Domain, from artifacts/packages (scripts/test packs it;
/// a bare `dotnet test` packs it here when it is missing).
/// </summary>
public sealed class ExampleScriptTests
{
    private const string Uuid = "5eb0a0a4-0c6b-4b9a-9d3e-2f6a1c7b8d90";
    private static readonly string[] FsiArgs = ["fsi", "--quiet", "examples/lookup.fsx"];
    private static readonly Lazy<string> Package = new(Pack);

    /// <summary>Version in Directory.Build.props: the one place the release is set.</summary>
    private static string Version =>
        XDocument.Load(Path.Combine(PublishedProgram.RepositoryRoot, "Directory.Build.props")).Descendants("Version").Single().Value;

    private static string Pack()
    {
        var package = Path.Combine(PublishedProgram.RepositoryRoot, "artifacts", "packages", $"XenMatchbox.Domain.{Version}.nupkg");
        if (!File.Exists(package))
        {
            using var process = Process.Start(new ProcessStartInfo(Path.Combine(PublishedProgram.RepositoryRoot, "scripts", "pack"))
            {
                WorkingDirectory = PublishedProgram.RepositoryRoot,
                RedirectStandardOutput = true,
            })!;
            process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromMinutes(5)) || process.ExitCode != 0)
            {
                throw new InvalidOperationException("scripts/pack failed");
            }
        }
        return package;
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> FsiAsync(params string[] args)
    {
        _ = Package.Value;
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = PublishedProgram.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in FsiArgs.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task The_script_plans_the_example_profile_and_renders_what_libxl_reads()
    {
        var (exit, stdout, stderr) = await FsiAsync("examples/profile.json", "mac=52-54-00-AA-BB-CC", $"uuid={Uuid}");
        Assert.True(exit == 0, stderr);
        var lines = stdout.Split('\n');
        Assert.Contains("labels:  mac=52:54:00:aa:bb:cc uuid=" + Uuid, lines);
        Assert.Contains("profile: fcos-stable", lines);
        Assert.Contains("kernel:  http://matchbox.example.com:8080/assets/fedora-coreos/fedora-coreos-live-kernel-x86_64", lines);
        Assert.Contains("initrd:  http://matchbox.example.com:8080/assets/fedora-coreos/fedora-coreos-live-initramfs.x86_64.img", lines);
        var args = $"console=hvc0 coreos.live.rootfs_url=http://matchbox.example.com:8080/assets/fedora-coreos/fedora-coreos-live-rootfs.x86_64.img ignition.firstboot ignition.platform.id=metal ignition.config.url=http://matchbox.example.com:8080/ignition?uuid={Uuid}&mac=52-54-00-aa-bb-cc";
        Assert.Contains("args:    " + args, lines);
        Assert.Contains($@"simple0: kernel /var/lib/xen/bootloader.7.d/kernel\0ramdisk /var/lib/xen/bootloader.7.d/ramdisk\0args {args}\0\0", lines);
        Assert.EndsWith(
            $"stanza:\nkernel = \"/var/lib/xen/bootloader.7.d/kernel\"\nramdisk = \"/var/lib/xen/bootloader.7.d/ramdisk\"\ncmdline = \"{args}\"\n",
            stdout);
    }

    [Fact]
    public void The_script_takes_the_package_of_the_version_Directory_Build_props_sets()
    {
        var script = File.ReadAllLines(Path.Combine(PublishedProgram.RepositoryRoot, "examples", "lookup.fsx"));
        Assert.Contains($"#r \"nuget: XenMatchbox.Domain, {Version}\"", script);
        Assert.True(File.Exists(Package.Value), Package.Value);
    }

    [Fact]
    public async Task A_label_the_args_need_and_nobody_gave_ends_the_script_with_the_domains_error()
    {
        var (exit, _, stderr) = await FsiAsync("examples/profile.json", "mac=52:54:00:aa:bb:cc");
        Assert.Equal(4, exit);
        Assert.StartsWith("XMB-310: the profile's args use ${uuid} but there is no such label", stderr.Trim());
    }
}
