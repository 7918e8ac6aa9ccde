using XenMatchbox.TestServer;
using static XenMatchbox.IntegrationTests.FailureTests;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// libxl's restricted mode: started as root with --runas=UID --quiet, xenmatchbox opens its files
/// and reads its keys as root, then drops to UID for good before any network traffic.
/// </summary>
[Collection(MatchboxCollection.Name)]
public sealed class RestrictedModeTests(MatchboxFixture matchbox)
{
    /// <summary>nobody: a uid with no access to root's 0600 files and directories.</summary>
    private const int Nobody = 65534;

    /// <summary>The server's TLS files, copied root-only (0600) as an operator keeps them.</summary>
    private List<string> RootOnlyTlsArgs(LibxlRun run, string lookup)
    {
        var args = matchbox.BootloaderArgs(lookup);
        foreach (var flag in new[] { "--ca", "--cert", "--key" })
        {
            var copy = Path.Combine(run.XenLibDir, flag.TrimStart('-'));
            File.Copy(args[args.IndexOf(flag) + 1], copy);
            File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            args[args.IndexOf(flag) + 1] = copy;
        }
        return args;
    }

    [RootFact]
    public async Task A_restricted_boot_succeeds_and_talks_to_the_network_only_as_the_given_uid()
    {
        matchbox.AddScenario("runas", new MatchboxBoot
        {
            Kernel = "/assets/os/runas/vmlinuz",
            Initrd = ["/assets/os/initrd-a.img"],
            Args = ["console=hvc0"],
        }, MatchboxFixture.Case("runas"));
        matchbox.ServeKernelAt("/assets/os/runas/vmlinuz");
        matchbox.Server.Faults.Set("/assets/os/runas/vmlinuz", AssetFault.SlowBody(2 << 20), times: 1);
        using var run = new LibxlRun();
        var connectionsBefore = matchbox.Server.Connections.Count;
        string? status = null;

        var outcome = await run.RunAsync(
            [$"--runas={Nobody}", "--quiet", .. run.LibxlFlags(), .. RootOnlyTlsArgs(run, "case=runas"), run.DiskPath],
            whileRunning: async process =>
            {
                await Host.Until(() => matchbox.Server.Counters.BodyBytes("/assets/os/runas/vmlinuz") > 0, "the download to start");
                status = await File.ReadAllTextAsync($"/proc/{process.Id}/status");
            });

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Equal("", outcome.Stderr);   // --quiet: nothing but errors
        Assert.Equal(["kernel", "ramdisk"], outcome.DirectoryEntries);
        Assert.True(matchbox.Kernel.AsSpan().SequenceEqual(File.ReadAllBytes(outcome.Result.Kernel!)));
        Assert.True(matchbox.InitrdA.AsSpan().SequenceEqual(File.ReadAllBytes(outcome.Result.Ramdisk!)));
        // While downloading, every id is nobody's and no supplementary group is left.
        Assert.NotNull(status);
        Assert.Contains($"Uid:\t{Nobody}\t{Nobody}\t{Nobody}\t{Nobody}", status);
        Assert.Contains($"Gid:\t{Nobody}\t{Nobody}\t{Nobody}\t{Nobody}", status);
        Assert.Matches(@"Groups:\s*\n", status);
        // Every connection, gRPC and HTTP, was opened by nobody.
        var connections = matchbox.Server.Connections.Skip(connectionsBefore).ToList();
        Assert.Contains(connections, c => c.Listener == MatchboxListener.Grpc);
        Assert.Contains(connections, c => c.Listener == MatchboxListener.Http);
        Assert.Contains(connections, c => c.Uid == Nobody);
        Assert.All(connections, c => Assert.True(c.Uid is null or Nobody, $"{c.Listener} connection from uid {c.Uid}"));
    }

    [RootFact]
    public async Task A_restricted_boot_that_fails_leaves_the_root_only_directory_empty_and_says_one_line()
    {
        matchbox.AddScenario("runas-404", new MatchboxBoot { Kernel = "/assets/os/runas-missing/vmlinuz" }, MatchboxFixture.Case("runas-404"));
        using var run = new LibxlRun();

        var outcome = await run.RunAsync(
            [$"--runas={Nobody}", "--quiet", .. run.LibxlFlags(), .. RootOnlyTlsArgs(run, "case=runas-404"), run.DiskPath]);

        // The files were made as root before the drop; nobody cannot unlink in the 0600 directory,
        // so the root janitor removed them.
        AssertFailed(outcome, 5, "XMB-401", "answered HTTP 404");
        Assert.Single(outcome.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Runas_root_is_refused()
    {
        using var run = new LibxlRun();

        var outcome = await run.RunAsync(["--runas=0", "--quiet", .. run.LibxlFlags(), .. matchbox.BootloaderArgs("case=x"), run.DiskPath]);

        AssertFailed(outcome, 2, "XMB-107", "uid 0 is root");
    }
}
