using System.Diagnostics;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// xenmatchbox --version, run as an operator would: the release from Directory.Build.props and the
/// commit the program was built from, and nothing read besides (not even a broken configuration).
/// </summary>
public sealed class VersionTests
{
    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo(PublishedProgram.AotExecutable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["XENMATCHBOX_CONFIG"] = "/nonexistent/xenmatchbox.conf", ["XENMATCHBOX_NOPE"] = "1" },
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }

    [Theory]
    [InlineData("--version")]
    [InlineData("show", "--version")]
    [InlineData("--server", "mb", "--version", "/dev/vg0/guest")]
    [InlineData("-V")]
    [InlineData("version")]
    [InlineData("check", "-V")]
    public async Task Version_prints_the_release_and_the_commit_it_was_built_from_and_reads_nothing_else(params string[] args)
    {
        var (exit, stdout, stderr) = await RunAsync(args);
        Assert.True(exit == 0, stderr);
        Assert.Equal($"xenmatchbox {Release.Version} ({Release.Commit})\n", stdout);
        Assert.Equal("", stderr);
    }

    [Fact]
    public async Task Help_wins_over_version_and_lists_it()
    {
        var (exit, stdout, _) = await RunAsync("--version", "--help");
        Assert.Equal(0, exit);
        Assert.StartsWith("xenmatchbox: a Xen PV/PVH bootloader", stdout);
        Assert.Contains("\nUSAGE:\n  xenmatchbox", stdout);
        Assert.Contains("-V, --version", stdout);
    }

    [Theory]
    [InlineData("help", "check")]
    [InlineData("check", "--help")]
    public async Task A_commands_help_is_its_own_page_and_reads_nothing_else(params string[] args)
    {
        var (exit, stdout, stderr) = await RunAsync(args);
        Assert.True(exit == 0, stderr);
        Assert.StartsWith("xenmatchbox check: check the set-up", stdout);
        Assert.Contains("\nUSAGE: xenmatchbox check [flags]\n", stdout);
        Assert.All(stdout.Split('\n'), line => Assert.True(line.Length <= 80, line));
        Assert.Equal("", stderr);
    }

    [Fact]
    public async Task Help_for_no_such_command_is_one_line_naming_the_commands()
    {
        var (exit, stdout, stderr) = await RunAsync("help", "nosuch");
        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Equal(
            "xenmatchbox: XMB-120: help has no command 'nosuch'; the commands are boot, show, stage, check, help and version"
            + " — run 'xenmatchbox help' for all of them, or 'xenmatchbox help COMMAND' with one of those\n",
            stderr);
    }
}
