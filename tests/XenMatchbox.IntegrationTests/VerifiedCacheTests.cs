using System.Security.Cryptography;
using XenMatchbox.TestServer;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// The cache under --verify-assets=required: a cached entry is booted only when its bytes are
/// still the ones the signature verified. A byte changed in the cache directory (disk corruption,
/// another program, a bug) is said in one line, the entry goes, and the asset is downloaded and
/// verified again.
/// </summary>
public sealed class VerifiedCacheTests : IClassFixture<GnuPgKeys>, IAsyncLifetime
{
    private const string KernelPath = "/assets/os/vmlinuz";
    private const string InitrdPath = "/assets/os/initrd.img";

    private readonly GnuPgKeys keys;
    private readonly string assets = Directory.CreateTempSubdirectory("xmb-verified-cache-assets-").FullName;
    private readonly string cacheDirectory = Path.Combine(Directory.CreateTempSubdirectory("xmb-verified-cache-").FullName, "cache");
    // More than one 4 MiB piece, and not a whole number of them.
    private readonly byte[] kernel = RandomNumberGenerator.GetBytes((5 << 20) + 12_345);
    private readonly byte[] initrd = RandomNumberGenerator.GetBytes(300_001);
    private MatchboxTestServer matchbox = null!;

    public VerifiedCacheTests(GnuPgKeys keys) => this.keys = keys;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(assets, "os"));
        await File.WriteAllBytesAsync(AssetFile(KernelPath), kernel);
        await File.WriteAllBytesAsync(AssetFile(InitrdPath), initrd);
        keys.SignFile("good", AssetFile(KernelPath));
        keys.SignFile("good", AssetFile(InitrdPath));
        matchbox = await MatchboxTestServer.StartAsync(new MatchboxTestServerOptions { AssetsPath = assets });
        matchbox.Store = new FixedStore(
            [Group("one"), Group("two")],
            [
                new MatchboxProfile { Id = "one", Boot = new MatchboxBoot { Kernel = KernelPath, Args = ["console=hvc0"] } },
                new MatchboxProfile { Id = "two", Boot = new MatchboxBoot { Kernel = KernelPath, Initrd = [InitrdPath, InitrdPath] } },
            ]);
    }

    private static MatchboxGroup Group(string name) =>
        new() { Id = name, Profile = name, Selector = new Dictionary<string, string> { ["case"] = name } };

    private string AssetFile(string urlPath) => Path.Combine(assets, urlPath["/assets/".Length..]);

    private string Url(string urlPath) => $"http://127.0.0.1:{matchbox.HttpPort}{urlPath}";

    private List<string> Verified(string profile, params string[] more)
    {
        var files = matchbox.CertificateFiles!;
        return
        [
            "--server", "127.0.0.1", "--httpport", matchbox.HttpPort.ToString(), "--grpcport", matchbox.GrpcPort.ToString(),
            "--ca", files.CaFile, "--cert", files.ClientCertFile, "--key", files.ClientKeyFile,
            "--lookup", $"case={profile}", "--cache-dir", cacheDirectory,
            "--verify-assets=required", "--asset-key", keys.Export("good"), .. more,
        ];
    }

    /// <summary>What a boot wrote, read before its libxl directory goes.</summary>
    private sealed record Booted(BootOutcome Outcome, byte[] Kernel, byte[]? Ramdisk);

    private static async Task<Booted> BootAsync(IEnumerable<string> args)
    {
        using var run = new LibxlRun();
        var outcome = await run.BootAsync(args);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var ramdisk = outcome.Result.Ramdisk;
        return new Booted(outcome, File.ReadAllBytes(outcome.Result.Kernel!), ramdisk is null ? null : File.ReadAllBytes(ramdisk));
    }

    /// <summary>The cache's data file of a URL (its name is the URL's SHA-256, lower-case hex).</summary>
    private string DataFile(string urlPath) =>
        Path.Combine(cacheDirectory, Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Url(urlPath)))) + ".data");

    /// <summary>Flips one bit of one byte of a file in place, as a failing disk or a stray write would.</summary>
    private static void Flip(string path, long at)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = at;
        var value = file.ReadByte();
        file.Position = at;
        file.WriteByte((byte)(value ^ 0x20));
    }

    private static string[] LinesAbout(BootOutcome outcome, string word) =>
        outcome.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(line => line.Contains(word, StringComparison.Ordinal)).ToArray();

    [Fact]
    public async Task A_byte_changed_in_a_verified_cached_kernel_is_said_once_and_the_kernel_is_downloaded_and_verified_again()
    {
        var first = await BootAsync(Verified("one"));
        Assert.True(kernel.AsSpan().SequenceEqual(first.Kernel));
        Assert.Equal(kernel.Length, matchbox.Counters.BodyBytes(KernelPath));
        Flip(DataFile(KernelPath), kernel.Length - 1000);   // in the second 4 MiB piece

        var second = await BootAsync(Verified("one"));

        Assert.True(kernel.AsSpan().SequenceEqual(second.Kernel), "the guest got the changed bytes from the cache");
        var line = Assert.Single(LinesAbout(second.Outcome, cacheDirectory));
        Assert.StartsWith($"xenmatchbox: cache {cacheDirectory}: ", line);
        Assert.Contains(Url(KernelPath), line);
        Assert.EndsWith("; downloading and verifying it again", line);
        Assert.Matches($"xenmatchbox: kernel .*, verified \\({keys.KeyId("good")}\\)", second.Outcome.Stderr);
        Assert.Equal(2L * kernel.Length, matchbox.Counters.BodyBytes(KernelPath));
        Assert.True(kernel.AsSpan().SequenceEqual(File.ReadAllBytes(DataFile(KernelPath))), "the entry was not stored again");

        // The entry stored again is the one a third boot uses: no body, no line.
        var third = await BootAsync(Verified("one"));

        Assert.True(kernel.AsSpan().SequenceEqual(third.Kernel));
        Assert.Empty(LinesAbout(third.Outcome, cacheDirectory));
        Assert.Contains("from the cache (not modified), verified", third.Outcome.Stderr);
        Assert.Equal(2L * kernel.Length, matchbox.Counters.BodyBytes(KernelPath));
    }

    [Fact]
    public async Task A_changed_cached_initrd_of_several_is_downloaded_again_and_quiet_says_nothing()
    {
        await BootAsync(Verified("two"));
        Flip(DataFile(InitrdPath), 0);

        var again = await BootAsync(Verified("two", "--quiet"));

        byte[] expected = [.. initrd, .. initrd];
        Assert.True(expected.AsSpan().SequenceEqual(again.Ramdisk), "the guest got the changed bytes from the cache");
        Assert.Equal("", again.Outcome.Stderr);
        Assert.Equal(2L * initrd.Length, matchbox.Counters.BodyBytes(InitrdPath));
        Assert.True(kernel.AsSpan().SequenceEqual(again.Kernel));
        Assert.Equal(kernel.Length, matchbox.Counters.BodyBytes(KernelPath));   // the kernel's entry was intact
    }

    [Fact]
    public async Task An_unverified_boot_stores_nothing_a_verified_boot_takes_as_verified()
    {
        var args = Verified("one");
        await BootAsync(args.Take(args.IndexOf("--verify-assets=required")));
        Flip(DataFile(KernelPath), 10);

        var verified = await BootAsync(Verified("one"));

        Assert.True(kernel.AsSpan().SequenceEqual(verified.Kernel));
        Assert.Equal(2L * kernel.Length, matchbox.Counters.BodyBytes(KernelPath));
        Assert.Empty(LinesAbout(verified.Outcome, cacheDirectory));   // never verified: a miss, not a change
    }

    /// <summary>The recent file of a lookup by <c>case=NAME</c>: SHA-256 of its header line and the sorted labels.</summary>
    private string RecentFile(string profile) =>
        Path.Combine(cacheDirectory, Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"xenmatchbox-recent 1\ncase={profile}\n"))) + ".recent");

    [Fact]
    public async Task A_verified_boot_leaves_the_URLs_it_used_for_the_next_boot_by_its_labels_to_hash_ahead()
    {
        await BootAsync(Verified("one"));
        Assert.Equal($"xenmatchbox-recent 1\n{Url(KernelPath)}\n", File.ReadAllText(RecentFile("one")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(RecentFile("one")));
        // Several URLs appended into one file are not an entry of their own: only the kernel is named.
        await BootAsync(Verified("two"));
        Assert.Equal($"xenmatchbox-recent 1\n{Url(KernelPath)}\n", File.ReadAllText(RecentFile("two")));

        // A byte changed after the first boot is found by the hashing ahead, as by any other.
        Flip(DataFile(KernelPath), 3);
        var again = await BootAsync(Verified("one"));
        Assert.True(kernel.AsSpan().SequenceEqual(again.Kernel), "the guest got the changed bytes from the cache");
        Assert.EndsWith("; downloading and verifying it again", Assert.Single(LinesAbout(again.Outcome, cacheDirectory)));
    }

    [Fact]
    public async Task A_recent_file_that_guesses_wrong_or_is_garbage_changes_nothing_the_boot_does()
    {
        await BootAsync(Verified("two"));   // stores the kernel and the initrd's entry is none (two URLs)
        // Labels "one" guess the initrd's URL and the kernel's twice, then a damaged file.
        foreach (var text in new[]
                 {
                     $"xenmatchbox-recent 1\n{Url(InitrdPath)}\n{Url(KernelPath)}\n{Url(KernelPath)}\n",
                     "xenmatchbox-recent 1\n/etc/shadow\n../../x\n",
                     "\0\0garbage",
                 })
        {
            File.WriteAllText(RecentFile("one"), text);
            var booted = await BootAsync(Verified("one"));
            Assert.True(kernel.AsSpan().SequenceEqual(booted.Kernel));
            Assert.Empty(LinesAbout(booted.Outcome, cacheDirectory));
            Assert.Contains("from the cache (not modified), verified", booted.Outcome.Stderr);
            Assert.Equal($"xenmatchbox-recent 1\n{Url(KernelPath)}\n", File.ReadAllText(RecentFile("one")));
        }
        Assert.Equal(kernel.Length, matchbox.Counters.BodyBytes(KernelPath));
    }

    private const UnixFileMode PublicDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    [RootFact]
    public async Task A_restricted_boot_checks_the_cached_bytes_too_and_downloads_without_storing()
    {
        await BootAsync(Verified("one"));
        Flip(DataFile(KernelPath), 4 << 20);
        File.SetUnixFileMode(Path.GetDirectoryName(cacheDirectory)!, PublicDirectory);   // the test's own scratch directory
        var changed = File.ReadAllBytes(DataFile(KernelPath));

        using var run = new LibxlRun();
        var outcome = await run.RunAsync(["--runas=65534", .. run.LibxlFlags(), .. Verified("one"), run.DiskPath]);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.True(kernel.AsSpan().SequenceEqual(File.ReadAllBytes(outcome.Result.Kernel!)), "the guest got the changed bytes from the cache");
        Assert.EndsWith("; downloading and verifying it again", Assert.Single(LinesAbout(outcome, cacheDirectory)));
        Assert.True(changed.AsSpan().SequenceEqual(File.ReadAllBytes(DataFile(KernelPath))));   // the restricted uid stores nothing
    }

    public async Task DisposeAsync()
    {
        await matchbox.DisposeAsync();
        Directory.Delete(assets, recursive: true);
        Directory.Delete(Path.GetDirectoryName(cacheDirectory)!, recursive: true);
    }
}
