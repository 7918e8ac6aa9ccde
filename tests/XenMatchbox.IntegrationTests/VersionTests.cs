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
        Assert.StartsWith("USAGE: xenmatchbox", stdout);
        Assert.Contains("--version", stdout);
    }
}
