using System.Diagnostics;
using XenMatchbox.TestServer;
using static XenMatchbox.IntegrationTests.FailureTests;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// Run as root (as libxl runs it), xenmatchbox reads a configuration, key or TLS file only when
/// root alone can change it and every directory above it, up to /, as sshd's StrictModes judges a
/// user's files: otherwise XMB-118, exit 2, before anything is looked up, downloaded or written;
/// and `check` fails a line for each such file. /tmp, mode 1777, is such a directory. The class has
/// a server of its own (as CheckTests has): check asks gRPC for a probe label, which tests of the
/// shared server would see among the labels it received.
/// </summary>
public sealed class RootFileTests(MatchboxFixture matchbox) : IClassFixture<MatchboxFixture>
{
    private const int Nobody = 65534;

    private static void Chmod(string path, string octal) => File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32(octal, 8));

    private static void Chown(string path, int uid)
    {
        using var chown = Process.Start("chown", ["-h", uid.ToString(), path])!;
        chown.WaitForExit();
        Assert.Equal(0, chown.ExitCode);
    }

    /// <summary>A copy of one of the server's TLS files in <paramref name="directory"/>.</summary>
    private string CopyOf(string flag, string directory)
    {
        var args = matchbox.BootloaderArgs();
        var copy = Path.Combine(directory, flag.TrimStart('-'));
        File.Copy(args[args.IndexOf(flag) + 1], copy);
        return copy;
    }

    private static List<string> With(List<string> args, string flag, string value)
    {
        args[args.IndexOf(flag) + 1] = value;
        return args;
    }

    [RootTheory]
    [InlineData("--config", "0666", 0)]
    [InlineData("--config", "0644", Nobody)]
    [InlineData("XENMATCHBOX_CONFIG", "0666", Nobody)]
    public async Task A_configuration_file_others_may_change_is_refused_before_it_is_used(string namedBy, string mode, int owner)
    {
        using var run = new LibxlRun();
        var config = Path.Combine(run.XenLibDir, "xenmatchbox.conf");
        File.WriteAllText(config, "server = 127.0.0.1\n");
        Chmod(config, mode);
        Chown(config, owner);

        var outcome = namedBy == "--config"
            ? await run.BootAsync(["--config", config, .. matchbox.BootloaderArgs("case=x")])
            : await run.RunAsync([.. run.LibxlFlags(), .. matchbox.BootloaderArgs("case=x"), run.DiskPath],
                environment: new Dictionary<string, string> { ["XENMATCHBOX_CONFIG"] = config });

        AssertFailed(outcome, 2, "XMB-118", $"{namedBy} '{config}' is not safe for root to read: the file {config} is ");
        Assert.Contains(owner == Nobody ? $"owned by uid {Nobody}" : "writable by group and others (mode 0666)", outcome.ErrorLine);
        Assert.Contains(owner == Nobody ? $"chown root {config}" : $"chmod go-w {config}", outcome.ErrorLine);
    }

    [RootFact]
    public async Task An_asset_key_in_a_directory_everyone_may_write_is_refused_sticky_bit_or_not()
    {
        using var run = new LibxlRun();
        var shared = Path.Combine(run.XenLibDir, "shared");
        Directory.CreateDirectory(shared);
        Chmod(shared, "1777");   // as /tmp
        var key = Path.Combine(shared, "keys.gpg");
        File.WriteAllBytes(key, [0x99, 0x00, 0x00]);   // never read

        var outcome = await run.BootAsync([.. matchbox.BootloaderArgs("case=x"), "--verify-assets=required", "--asset-key", key]);

        AssertFailed(outcome, 2, "XMB-118", $"--asset-key '{key}' is not safe for root to read: the directory {shared} is writable by group and others (mode 1777)");
        Assert.Contains($"move the file out of {shared}", outcome.ErrorLine);
    }

    [RootFact]
    public async Task A_symbolic_link_is_judged_by_where_it_leads_and_by_the_directory_it_is_in()
    {
        using var run = new LibxlRun();
        // A link in root's own directory to a private key in a group-writable one.
        var open = Path.Combine(run.XenLibDir, "open");
        Directory.CreateDirectory(open);
        Chmod(open, "0775");
        var key = CopyOf("--key", open);
        var link = Path.Combine(run.XenLibDir, "client.key");
        File.CreateSymbolicLink(link, key);

        var outcome = await run.BootAsync(With(matchbox.BootloaderArgs("case=x"), "--key", link));

        AssertFailed(outcome, 2, "XMB-118", $"--key '{link}' is not safe for root to read: the directory {open} is writable by group (mode 0775)");

        // A link that nobody but its directory's writers can replace: here, everyone.
        var shared = Path.Combine(run.XenLibDir, "shared");
        Directory.CreateDirectory(shared);
        Chmod(shared, "0777");
        var safeKey = CopyOf("--key", run.XenLibDir);
        var planted = Path.Combine(shared, "client.key");
        File.CreateSymbolicLink(planted, safeKey);

        outcome = await run.BootAsync(With(matchbox.BootloaderArgs("case=x"), "--key", planted));

        AssertFailed(outcome, 2, "XMB-118", $"--key '{planted}' is not safe for root to read: the directory {shared} is writable by group and others (mode 0777)");
    }

    [RootFact]
    public async Task A_CA_file_another_user_owns_is_refused_in_restricted_mode_too()
    {
        using var run = new LibxlRun();
        var ca = CopyOf("--ca", run.XenLibDir);
        Chown(ca, 1000);

        var outcome = await run.RunAsync([$"--runas={Nobody}", "--quiet", .. run.LibxlFlags(), .. With(matchbox.BootloaderArgs("case=x"), "--ca", ca), run.DiskPath]);

        AssertFailed(outcome, 2, "XMB-118", $"--ca '{ca}' is not safe for root to read: the file {ca} is owned by uid 1000");
    }

    [RootFact]
    public async Task Check_fails_a_line_for_each_file_others_may_change_and_reads_none_of_them()
    {
        using var run = new LibxlRun();
        var ca = CopyOf("--ca", run.XenLibDir);
        Chown(ca, Nobody);
        var shared = Path.Combine(run.XenLibDir, "shared");
        Directory.CreateDirectory(shared);
        Chmod(shared, "1777");
        var key = Path.Combine(shared, "matchbox.gpg");
        File.WriteAllBytes(key, [0x99]);

        var outcome = await run.RunAsync(["check", .. With(matchbox.BootloaderArgs(), "--ca", ca), "--lookup-key", key, "--timeout", "30"]);

        Assert.True(outcome.ExitCode == 9, outcome.Stdout + outcome);
        var lines = outcome.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith($"✗ --ca {ca}: XMB-118: --ca '{ca}' is not safe for root to read: the file {ca} is owned by uid {Nobody}", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"✗ --lookup-key {key}: XMB-118: ", StringComparison.Ordinal) && l.Contains($"the directory {shared} is writable by group and others (mode 1777)", StringComparison.Ordinal));
        // Neither file is read: the TLS files and the key file are not tried, nor gRPC without them.
        Assert.Contains("- TLS files: not tried: root does not read a TLS file that others may change", lines);
        Assert.Contains($"- --lookup-key {key}: not tried: root does not read a key file that others may change", lines);
        Assert.Contains($"- server 127.0.0.1:{matchbox.Server.GrpcPort} (gRPC): not tried: the TLS files cannot be read", lines);
        // The rest is still checked.
        Assert.Contains($"✓ server http://127.0.0.1:{matchbox.Server.HttpPort}/: answers \"matchbox\"", lines);
    }

    [RootFact]
    public async Task Check_says_when_every_file_read_as_root_is_roots_alone()
    {
        using var run = new LibxlRun();

        var outcome = await run.RunAsync(["check", .. matchbox.BootloaderArgs(), "--timeout", "30"]);

        Assert.True(outcome.ExitCode == 0, outcome.Stdout + outcome);
        Assert.Contains("✓ files read as root: 4 files, and every directory above them, root's and writable by root alone", outcome.Stdout.Split('\n'));
    }
}
