using System.Security.Cryptography;
using System.Text.RegularExpressions;
using XenMatchbox.TestServer;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// The download progress as an operator sees it: redrawn lines on a terminal (a pty, as the console
/// of `xl create -c`), nothing under --quiet, and one summary line per asset on standard error when
/// standard output is not a terminal. The kernel is served slowly, so the terminal shows progress
/// lines with a rate and an ETA before the summary.
/// </summary>
public sealed partial class ProgressDisplayTests : IAsyncLifetime
{
    private const string KernelPath = "/assets/slow/vmlinuz";
    private const string InitrdPath = "/assets/slow/initrd.img";

    private readonly string assets = Directory.CreateTempSubdirectory("xmb-progress-assets-").FullName;
    private readonly byte[] kernel = RandomNumberGenerator.GetBytes(1 << 20);
    private readonly byte[] initrd = RandomNumberGenerator.GetBytes(3 * 1024 + 512);
    private MatchboxTestServer matchbox = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(assets, "slow"));
        await File.WriteAllBytesAsync(Path.Combine(assets, "slow", "vmlinuz"), kernel);
        await File.WriteAllBytesAsync(Path.Combine(assets, "slow", "initrd.img"), initrd);
        matchbox = await MatchboxTestServer.StartAsync(new MatchboxTestServerOptions { AssetsPath = assets });
        matchbox.Store = new FixedStore(
            [new MatchboxGroup { Id = "slow", Profile = "slow", Selector = new Dictionary<string, string> { ["mac"] = MatchboxFixture.Mac } }],
            [new MatchboxProfile { Id = "slow", Boot = new MatchboxBoot { Kernel = KernelPath, Initrd = [InitrdPath], Args = ["console=hvc0"] } }]);
        // About 1.5 s for the kernel: long enough for several redraws (at most ten a second).
        matchbox.Faults.Set(KernelPath, AssetFault.SlowBody(700 * 1024));
    }

    /// <summary>HTTP only: no client certificate, the lookup goes to /ipxe.</summary>
    private List<string> Args(params string[] extra) =>
        ["--server", "127.0.0.1", "--httpport", matchbox.HttpPort.ToString(), "--lookup", $"mac={MatchboxFixture.Mac}", "--no-cache", .. extra];

    // "kernel     512 KiB /    1.0 MiB     700 KiB/s  ETA 0.7 s": received, total, rate, ETA.
    [GeneratedRegex(@"kernel +[0-9.]+ [KMG]?i?B / +1\.0 MiB +[0-9.]+ [KMG]?i?B/s +ETA [0-9.]+ s")]
    private static partial Regex ProgressLine();

    // "kernel 1.0 MiB in 1.49 s (687 KiB/s)".
    [GeneratedRegex(@"kernel 1\.0 MiB in [0-9.]+ s \([0-9.]+ [KMG]?i?B/s\)")]
    private static partial Regex KernelSummary();

    [GeneratedRegex(@"\x1b(?!\[K|\[[0-9]+A)")]
    private static partial Regex ForeignEscape();

    [GeneratedRegex(@"ramdisk 3\.5 KiB in [0-9.]+ s")]
    private static partial Regex RamdiskSummary();

    [Fact]
    public async Task On_a_terminal_each_asset_gets_a_redrawn_progress_line_with_rate_and_eta()
    {
        using var run = new LibxlRun();
        var outcome = await run.RunAsync([.. run.LibxlFlags(), .. Args(), run.DiskPath], terminal: true);
        Assert.True(outcome.ExitCode == 0, outcome.ToString() + outcome.Stdout);
        Assert.Equal(kernel, File.ReadAllBytes(Path.Combine(run.OutputDirectory, "kernel")));
        var screen = outcome.Stdout;
        // Redrawn in place: at least two progress lines before the end, each erasing its line's tail.
        Assert.True(ProgressLine().Count(screen) >= 2, $"fewer than two progress lines: {screen}");
        Assert.Contains("\x1b[K", screen);
        // Only our own escapes (erase to end of line, cursor up): no terminal set-up strings such as
        // keypad mode, which the console layer of .NET would send.
        Assert.DoesNotMatch(ForeignEscape(), screen);
        Assert.Matches(KernelSummary(), screen);
        Assert.Matches(RamdiskSummary(), screen);
        // The result went to libxl's file, not the console.
        Assert.Equal($"{run.OutputDirectory}/kernel", outcome.Result.Kernel);
    }

    [Fact]
    public async Task Quiet_on_a_terminal_shows_nothing_at_all()
    {
        using var run = new LibxlRun();
        var outcome = await run.RunAsync([.. run.LibxlFlags(), .. Args("--quiet"), run.DiskPath], terminal: true);
        Assert.True(outcome.ExitCode == 0, outcome.ToString() + outcome.Stdout);
        Assert.Equal(kernel, File.ReadAllBytes(Path.Combine(run.OutputDirectory, "kernel")));
        Assert.Equal("", outcome.Stdout);
    }

    [Fact]
    public async Task Not_on_a_terminal_each_asset_gets_one_summary_line_on_stderr()
    {
        using var run = new LibxlRun();
        var outcome = await run.BootAsync(Args());
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Equal("", outcome.Stdout);
        Assert.DoesNotContain("\x1b", outcome.Stderr);
        Assert.DoesNotContain("ETA", outcome.Stderr);
        var lines = outcome.Stderr.Split('\n');
        Assert.Single(lines, line => KernelSummary().IsMatch(line) && line.StartsWith("xenmatchbox: kernel ", StringComparison.Ordinal));
        Assert.Single(lines, line => RamdiskSummary().IsMatch(line) && line.StartsWith("xenmatchbox: ramdisk ", StringComparison.Ordinal));
    }

    public async Task DisposeAsync()
    {
        await matchbox.DisposeAsync();
        Directory.Delete(assets, recursive: true);
    }
}
