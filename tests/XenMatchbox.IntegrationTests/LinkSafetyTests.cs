using XenMatchbox.TestServer;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// A bootloader runs as root: a symbolic link planted where it writes (libxl's output directory,
/// stage's directory, libxl's output file) must be replaced or refused, never written through, so
/// its target keeps its bytes whether the boot succeeds or fails.
/// </summary>
[Collection(MatchboxCollection.Name)]
public sealed class LinkSafetyTests(MatchboxFixture matchbox)
{
    private const int Nobody = 65534;
    private static readonly byte[] Precious = "root's precious file\n"u8.ToArray();

    private string Lookup(bool succeeds)
    {
        var name = succeeds ? "links-ok" : "links-404";
        matchbox.AddScenario(name, new MatchboxBoot
        {
            Kernel = succeeds ? "/assets/os/vmlinuz" : "/assets/os/links-missing/vmlinuz",
            Initrd = ["/assets/os/initrd-b.img"],
        }, MatchboxFixture.Case(name));
        return $"case={name}";
    }

    /// <summary>A file outside the directory, and links named kernel and ramdisk in it pointing there.</summary>
    private static string PlantLinks(LibxlRun run, string directory)
    {
        var target = Path.Combine(run.XenLibDir, "precious");
        File.WriteAllBytes(target, Precious);
        Directory.CreateDirectory(directory);
        File.CreateSymbolicLink(Path.Combine(directory, "kernel"), target);
        File.CreateSymbolicLink(Path.Combine(directory, "ramdisk"), target);
        return target;
    }

    [RootTheory]
    [InlineData(false, true)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(true, false)]
    public async Task Links_planted_in_libxls_output_directory_are_never_written_through(bool restricted, bool succeeds)
    {
        using var run = new LibxlRun();
        var target = PlantLinks(run, run.OutputDirectory);
        List<string> mode = restricted ? [$"--runas={Nobody}", "--quiet"] : [];

        var outcome = await run.RunAsync([.. mode, .. run.LibxlFlags(), .. matchbox.BootloaderArgs(Lookup(succeeds)), run.DiskPath]);

        Assert.Equal(Precious, File.ReadAllBytes(target));
        if (succeeds)
        {
            Assert.True(outcome.ExitCode == 0, outcome.ToString());
            var kernel = Path.Combine(run.OutputDirectory, "kernel");
            Assert.Null(new FileInfo(kernel).LinkTarget);
            Assert.True(matchbox.Kernel.AsSpan().SequenceEqual(File.ReadAllBytes(kernel)));
        }
        else
        {
            // What is left of the planted links is theirs; nothing of ours, and no byte through them.
            Assert.Equal(5, outcome.ExitCode);
            Assert.StartsWith("xenmatchbox: XMB-401: ", outcome.ErrorLine);
            Assert.Empty(outcome.OutputFile);
            Assert.DoesNotContain(outcome.DirectoryEntries, name => name.EndsWith(".partial", StringComparison.Ordinal));
        }
    }

    [RootTheory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Links_planted_in_stages_directory_are_replaced_not_written_through(bool succeeds)
    {
        using var run = new LibxlRun();
        var dir = Path.Combine(run.XenLibDir, "staged");
        var target = PlantLinks(run, dir);

        var outcome = await run.RunAsync(["stage", "--dir", dir, .. matchbox.BootloaderArgs(Lookup(succeeds))]);

        Assert.Equal(Precious, File.ReadAllBytes(target));
        Assert.Equal(succeeds ? 0 : 5, outcome.ExitCode);
        if (succeeds)
        {
            Assert.Null(new FileInfo(Path.Combine(dir, "kernel")).LinkTarget);
            Assert.True(matchbox.Kernel.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(dir, "kernel"))));
        }
    }

    [Fact]
    public async Task An_output_file_that_is_a_link_is_refused_before_any_lookup()
    {
        using var run = new LibxlRun();
        var target = Path.Combine(run.XenLibDir, "precious");
        File.WriteAllBytes(target, Precious);
        File.Delete(run.OutputPath);
        File.CreateSymbolicLink(run.OutputPath, target);

        var outcome = await run.BootAsync(matchbox.BootloaderArgs(Lookup(succeeds: true)));

        Assert.Equal(6, outcome.ExitCode);
        Assert.StartsWith("xenmatchbox: XMB-505: ", outcome.ErrorLine);
        Assert.Contains("symbolic link", outcome.ErrorLine);
        Assert.Equal(Precious, File.ReadAllBytes(target));
        Assert.Empty(outcome.DirectoryEntries);
    }
}
