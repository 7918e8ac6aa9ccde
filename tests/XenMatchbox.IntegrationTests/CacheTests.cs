using System.Diagnostics;
using System.Security.Cryptography;
using XenMatchbox.TestServer;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// The shared asset cache, through the real program and a server that counts what it sends:
/// revalidation, servers without validators, concurrent boots, crashes and eviction.
/// </summary>
public sealed class CacheTests : IAsyncLifetime
{
    private const string KernelPath = "/assets/os/vmlinuz";
    private const string OtherKernelPath = "/assets/os/other-vmlinuz";
    private const string InitrdPath = "/assets/os/initrd.img";

    private readonly string assets = Directory.CreateTempSubdirectory("xmb-cache-assets-").FullName;
    private readonly string cacheDirectory = Path.Combine(Directory.CreateTempSubdirectory("xmb-cache-").FullName, "cache");
    private readonly byte[] kernel = RandomNumberGenerator.GetBytes(2 << 20);
    private readonly byte[] otherKernel = RandomNumberGenerator.GetBytes(2 << 20);
    private readonly byte[] initrd = RandomNumberGenerator.GetBytes(700_001);
    private MatchboxTestServer matchbox = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(assets, "os"));
        await File.WriteAllBytesAsync(AssetFile(KernelPath), kernel);
        await File.WriteAllBytesAsync(AssetFile(OtherKernelPath), otherKernel);
        await File.WriteAllBytesAsync(AssetFile(InitrdPath), initrd);
        matchbox = await MatchboxTestServer.StartAsync(new MatchboxTestServerOptions { AssetsPath = assets });
        matchbox.Store = new FixedStore(
            [Group("one"), Group("two"), Group("other")],
            [
                new MatchboxProfile { Id = "one", Boot = new MatchboxBoot { Kernel = KernelPath, Args = ["console=hvc0"] } },
                new MatchboxProfile { Id = "two", Boot = new MatchboxBoot { Kernel = KernelPath, Initrd = [InitrdPath, InitrdPath] } },
                new MatchboxProfile { Id = "other", Boot = new MatchboxBoot { Kernel = OtherKernelPath } },
            ]);
    }

    private static MatchboxGroup Group(string name) =>
        new() { Id = name, Profile = name, Selector = new Dictionary<string, string> { ["case"] = name } };

    private string AssetFile(string urlPath) => Path.Combine(assets, urlPath["/assets/".Length..]);

    private List<string> Args(string profile, params string[] more)
    {
        var files = matchbox.CertificateFiles!;
        return
        [
            "--server", "127.0.0.1", "--httpport", matchbox.HttpPort.ToString(), "--grpcport", matchbox.GrpcPort.ToString(),
            "--ca", files.CaFile, "--cert", files.ClientCertFile, "--key", files.ClientKeyFile,
            "--lookup", $"case={profile}", "--cache-dir", cacheDirectory, .. more,
        ];
    }

    /// <summary>What a successful boot wrote, read before its libxl directory goes.</summary>
    private sealed record Booted(byte[] Kernel, byte[]? Ramdisk);

    private async Task<Booted> BootAsync(string profile, params string[] more)
    {
        using var run = new LibxlRun();
        var outcome = await run.BootAsync(Args(profile, more));
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var ramdisk = outcome.Result.Ramdisk;
        return new Booted(File.ReadAllBytes(outcome.Result.Kernel!), ramdisk is null ? null : File.ReadAllBytes(ramdisk));
    }

    private string[] CacheFiles(string pattern) =>
        Directory.Exists(cacheDirectory) ? Directory.GetFiles(cacheDirectory, pattern) : [];

    [Fact]
    public async Task A_second_boot_revalidates_and_gets_no_body_and_the_kernel_is_a_hard_link_to_the_cache()
    {
        using var first = new LibxlRun();
        var cold = await first.BootAsync(Args("one"));
        Assert.True(cold.ExitCode == 0, cold.ToString());
        Assert.Equal(kernel.Length, matchbox.Counters.BodyBytes(KernelPath));

        using var second = new LibxlRun();
        var cached = await second.BootAsync(Args("one"));

        Assert.True(cached.ExitCode == 0, cached.ToString());
        Assert.Equal(2, matchbox.Counters.Requests(KernelPath));
        Assert.Equal(kernel.Length, matchbox.Counters.BodyBytes(KernelPath));   // the 304 carried no body
        Assert.True(kernel.AsSpan().SequenceEqual(File.ReadAllBytes(cached.Result.Kernel!)));
        var data = Assert.Single(CacheFiles("*.data"));
        Assert.Equal(Inode(data), Inode(cached.Result.Kernel!));
        Assert.Equal("console=hvc0", cached.Result.Args);
    }

    [Fact]
    public async Task An_asset_changed_on_the_server_is_downloaded_again()
    {
        await BootAsync("one");
        var changed = RandomNumberGenerator.GetBytes(kernel.Length + 1);
        await File.WriteAllBytesAsync(AssetFile(KernelPath), changed);
        File.SetLastWriteTimeUtc(AssetFile(KernelPath), DateTime.UtcNow.AddHours(1));

        var outcome = await BootAsync("one");

        Assert.True(changed.AsSpan().SequenceEqual(outcome.Kernel));
        Assert.Equal(kernel.Length + changed.Length, matchbox.Counters.BodyBytes(KernelPath));
        Assert.Equal(changed.Length, new FileInfo(Assert.Single(CacheFiles("*.data"))).Length);
    }

    [Fact]
    public async Task A_server_that_sends_no_validators_is_never_cached()
    {
        matchbox.Faults.Set(KernelPath, AssetFault.WithoutValidators);

        var first = await BootAsync("one");
        var second = await BootAsync("one");

        Assert.True(kernel.AsSpan().SequenceEqual(second.Kernel));
        Assert.Equal(2L * kernel.Length, matchbox.Counters.BodyBytes(KernelPath));
        Assert.Empty(CacheFiles("*.data"));
        Assert.Empty(CacheFiles("*.meta"));
        Assert.Empty(CacheFiles("*.partial"));
        Assert.True(kernel.AsSpan().SequenceEqual(first.Kernel));
    }

    [Fact]
    public async Task Concurrent_boots_of_one_asset_download_it_exactly_once()
    {
        var runs = Enumerable.Range(0, 8).Select(_ => new LibxlRun()).ToList();
        try
        {
            var outcomes = await Task.WhenAll(runs.Select(run => run.BootAsync(Args("one"))));

            foreach (var outcome in outcomes)
            {
                Assert.True(outcome.ExitCode == 0, outcome.ToString());
                Assert.True(kernel.AsSpan().SequenceEqual(File.ReadAllBytes(outcome.Result.Kernel!)));
            }
            Assert.Equal(8, matchbox.Counters.Requests(KernelPath));
            Assert.Equal(kernel.Length, matchbox.Counters.BodyBytes(KernelPath));
        }
        finally
        {
            runs.ForEach(run => run.Dispose());
        }
    }

    [Fact]
    public async Task Initrds_are_cached_each_and_concatenated_in_order()
    {
        await BootAsync("two");
        var outcome = await BootAsync("two");

        byte[] expected = [.. initrd, .. initrd];
        Assert.True(expected.AsSpan().SequenceEqual(outcome.Ramdisk));
        Assert.Equal(initrd.Length, matchbox.Counters.BodyBytes(InitrdPath));
        Assert.Equal(4, matchbox.Counters.Requests(InitrdPath));
    }

    [Fact]
    public async Task A_boot_killed_mid_download_leaves_no_entry_and_the_next_boot_downloads_afresh()
    {
        matchbox.Faults.Set(KernelPath, AssetFault.SlowBody(256 * 1024));
        using (var run = new LibxlRun())
        {
            await run.RunAsync(
                [.. run.LibxlFlags(), .. Args("one"), run.DiskPath],
                whileRunning: async process =>
                {
                    await Host.Until(() => matchbox.Counters.BodyBytes(KernelPath) > 256 * 1024, "the download to start");
                    Assert.Single(CacheFiles("*.partial"));
                    process.Kill();   // SIGKILL: no clean-up of its own
                });
        }
        Assert.Empty(CacheFiles("*.meta"));
        Assert.Empty(CacheFiles("*.data"));
        matchbox.Faults.Remove(KernelPath);

        var outcome = await BootAsync("one");

        Assert.True(kernel.AsSpan().SequenceEqual(outcome.Kernel));
        Assert.Single(CacheFiles("*.data"));
        Assert.Empty(CacheFiles("*.partial"));   // the killed boot's leftover is gone
    }

    [Fact]
    public async Task Over_its_size_the_cache_evicts_the_least_recently_used_entry()
    {
        var cap = (kernel.Length + otherKernel.Length - 1).ToString();
        await BootAsync("one", "--cache-size", cap);
        var kernelEntry = Assert.Single(CacheFiles("*.data"));

        await BootAsync("other", "--cache-size", cap);

        var left = Assert.Single(CacheFiles("*.data"));
        Assert.NotEqual(kernelEntry, left);
        Assert.Equal(otherKernel.Length, new FileInfo(left).Length);
        Assert.Single(CacheFiles("*.meta"));
    }

    [Fact]
    public async Task No_cache_downloads_every_time_and_writes_no_cache()
    {
        using var run = new LibxlRun();
        var outcome = await run.BootAsync(Args("one").Where(a => a != "--cache-dir" && a != cacheDirectory).Append("--no-cache"));
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        using var again = new LibxlRun();
        Assert.Equal(0, (await again.BootAsync(Args("one").Where(a => a != "--cache-dir" && a != cacheDirectory).Append("--no-cache"))).ExitCode);

        Assert.Equal(2L * kernel.Length, matchbox.Counters.BodyBytes(KernelPath));
        Assert.False(Directory.Exists(cacheDirectory));
        Assert.False(Directory.Exists(run.CacheDirectory));
    }

    private const UnixFileMode PublicFile = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode PublicDirectory = PublicFile | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
    private const int Nobody = 65534;

    /// <summary>The file-name stem of a URL's cache entry, as the cache names it (SHA-256, lower-case hex).</summary>
    private string EntryStem(string urlPath) =>
        Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"http://127.0.0.1:{matchbox.HttpPort}{urlPath}")));

    private static string[] LinesAbout(BootOutcome outcome, string word) =>
        outcome.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(line => line.Contains(word, StringComparison.Ordinal)).ToArray();

    [Fact]
    public async Task A_rollback_on_matchboxs_Go_file_server_is_downloaded_again()
    {
        // matchbox v0.9.0: Last-Modified only, and 304 for any file not newer than If-Modified-Since.
        matchbox.Faults.Set(KernelPath, AssetFault.GoFileServer);
        File.SetLastWriteTimeUtc(AssetFile(KernelPath), new DateTime(2026, 11, 30, 12, 0, 0, DateTimeKind.Utc));
        await BootAsync("one");
        var older = RandomNumberGenerator.GetBytes(kernel.Length);   // the same size: only the date tells
        await File.WriteAllBytesAsync(AssetFile(KernelPath), older);
        File.SetLastWriteTimeUtc(AssetFile(KernelPath), new DateTime(2026, 11, 29, 12, 0, 0, DateTimeKind.Utc));

        var outcome = await BootAsync("one");

        Assert.True(older.AsSpan().SequenceEqual(outcome.Kernel));
        Assert.True(older.AsSpan().SequenceEqual(File.ReadAllBytes(Assert.Single(CacheFiles("*.data")))));
    }

    [Fact]
    public async Task A_replacement_of_another_length_within_the_same_second_is_downloaded_again()
    {
        matchbox.Faults.Set(KernelPath, AssetFault.GoFileServer);
        var second = new DateTime(2026, 11, 30, 12, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(AssetFile(KernelPath), second);
        await BootAsync("one");
        var shorter = RandomNumberGenerator.GetBytes(kernel.Length - 1);
        await File.WriteAllBytesAsync(AssetFile(KernelPath), shorter);
        File.SetLastWriteTimeUtc(AssetFile(KernelPath), second.AddMilliseconds(500));

        var outcome = await BootAsync("one");

        Assert.True(shorter.AsSpan().SequenceEqual(outcome.Kernel));
    }

    [Fact]
    public async Task An_unchanged_asset_on_a_Go_file_server_is_revalidated_without_a_body()
    {
        matchbox.Faults.Set(KernelPath, AssetFault.GoFileServer);
        await BootAsync("one");

        var outcome = await BootAsync("one");

        Assert.True(kernel.AsSpan().SequenceEqual(outcome.Kernel));
        Assert.Equal(2, matchbox.Counters.Requests(KernelPath));   // the first GET, then one HEAD
        Assert.Equal(kernel.Length, matchbox.Counters.BodyBytes(KernelPath));
    }

    [Fact]
    public async Task A_304_naming_other_validators_than_the_entrys_is_a_change()
    {
        await BootAsync("one");
        matchbox.Faults.Set(KernelPath, AssetFault.NotModifiedAnyway);
        var changed = RandomNumberGenerator.GetBytes(kernel.Length);
        await File.WriteAllBytesAsync(AssetFile(KernelPath), changed);
        File.SetLastWriteTimeUtc(AssetFile(KernelPath), DateTime.UtcNow.AddMinutes(5));

        var outcome = await BootAsync("one");

        Assert.True(changed.AsSpan().SequenceEqual(outcome.Kernel));
        Assert.True(changed.AsSpan().SequenceEqual(File.ReadAllBytes(Assert.Single(CacheFiles("*.data")))));
    }

    [Fact]
    public async Task Stage_copies_from_the_cache_so_an_edited_staged_file_never_reaches_a_later_boot()
    {
        using var run = new LibxlRun();
        var dir = Path.Combine(run.XenLibDir, "staged");
        for (var time = 0; time < 2; time++)   // the second time from the cache
        {
            var staged = await run.RunAsync(["stage", "--dir", dir, .. Args("one")]);
            Assert.True(staged.ExitCode == 0, staged.ToString());
        }
        var stagedKernel = Path.Combine(dir, "kernel");
        Assert.NotEqual(Inode(Assert.Single(CacheFiles("*.data"))), Inode(stagedKernel));

        await File.WriteAllBytesAsync(stagedKernel, [1, 2, 3]);   // an edit in place, as an operator's tools do
        var outcome = await BootAsync("one");

        Assert.True(kernel.AsSpan().SequenceEqual(outcome.Kernel));
    }

    [RootFact]
    public async Task Entries_are_public_whatever_the_umask_so_a_restricted_boot_reads_them()
    {
        using (var run = new LibxlRun())
        {
            var stored = await run.RunAsync([.. run.LibxlFlags(), .. Args("one"), run.DiskPath], umask: "077");
            Assert.True(stored.ExitCode == 0, stored.ToString());
        }
        Assert.Equal(PublicDirectory, File.GetUnixFileMode(cacheDirectory));
        Assert.All(CacheFiles("*"), file => Assert.Equal(PublicFile, File.GetUnixFileMode(file)));
        File.SetUnixFileMode(Path.GetDirectoryName(cacheDirectory)!, PublicDirectory);   // the test's own scratch directory

        using var restricted = new LibxlRun();
        var outcome = await restricted.RunAsync([$"--runas={Nobody}", .. restricted.LibxlFlags(), .. Args("one"), restricted.DiskPath]);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.True(kernel.AsSpan().SequenceEqual(File.ReadAllBytes(outcome.Result.Kernel!)));
        Assert.Equal(kernel.Length, matchbox.Counters.BodyBytes(KernelPath));   // from the cache
        Assert.Empty(LinesAbout(outcome, cacheDirectory));   // no complaint about the cache
    }

    [RootFact]
    public async Task An_entry_the_restricted_uid_cannot_read_is_a_miss_said_in_one_line()
    {
        await BootAsync("one");
        File.SetUnixFileMode(Path.GetDirectoryName(cacheDirectory)!, PublicDirectory);
        File.SetUnixFileMode(Assert.Single(CacheFiles("*.data")), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        using var run = new LibxlRun();
        var outcome = await run.RunAsync([$"--runas={Nobody}", .. run.LibxlFlags(), .. Args("one"), run.DiskPath]);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.True(kernel.AsSpan().SequenceEqual(File.ReadAllBytes(outcome.Result.Kernel!)));
        Assert.Contains("downloading without it", Assert.Single(LinesAbout(outcome, cacheDirectory)));
    }

    [Theory]
    [InlineData("data")]
    [InlineData("meta")]
    [InlineData("lock")]
    public async Task A_cache_entry_file_that_is_a_directory_is_a_miss_said_in_one_line(string part)
    {
        Directory.CreateDirectory(Path.Combine(cacheDirectory, $"{EntryStem(KernelPath)}.{part}"));
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(Args("one"));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.True(kernel.AsSpan().SequenceEqual(File.ReadAllBytes(outcome.Result.Kernel!)));
        Assert.Contains("downloading without it", Assert.Single(LinesAbout(outcome, cacheDirectory)));
        Assert.Empty(CacheFiles("*.partial"));
    }

    [Fact]
    public async Task Quiet_says_nothing_of_a_cache_it_cannot_use()
    {
        Directory.CreateDirectory(Path.Combine(cacheDirectory, $"{EntryStem(KernelPath)}.data"));
        using var run = new LibxlRun();

        var outcome = await run.BootAsync([.. Args("one"), "--quiet"]);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Equal("", outcome.Stderr);
    }

    private static string Inode(string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%d:%i", path]) { RedirectStandardOutput = true })!;
        var text = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return text;
    }

    public async Task DisposeAsync()
    {
        await matchbox.DisposeAsync();
        Directory.Delete(assets, recursive: true);
        Directory.Delete(Path.GetDirectoryName(cacheDirectory)!, recursive: true);
    }
}
