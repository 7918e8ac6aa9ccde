namespace XenMatchbox.IntegrationTests;

/// <summary>
/// NativeAOT trims and precompiles; a difference from the JIT build shows up only at run time. So
/// the native program must answer every command line of the corpus exactly as the JIT build does:
/// same exit status, same bytes on stdout and stderr.
/// </summary>
public sealed class ParityTests
{
    public static TheoryData<int, string> Corpus()
    {
        var data = new TheoryData<int, string>();
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "argv-corpus.txt"));
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length > 0 && !lines[i].StartsWith('#'))
            {
                data.Add(i + 1, lines[i]);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task The_native_program_answers_like_the_JIT_build(int line, string corpusLine)
    {
        using var aotRun = new LibxlRun();
        using var jitRun = new LibxlRun();

        var aot = await aotRun.RunAsync(Expand(corpusLine, aotRun));
        var jit = await jitRun.RunAsync(Expand(corpusLine, jitRun), jit: true);

        // Paths differ between the two runs; compare with each run's own paths masked.
        Assert.True(aot.ExitCode == jit.ExitCode, $"corpus line {line}: exit {aot.ExitCode} (AOT) vs {jit.ExitCode} (JIT)\nAOT: {aot.Stderr}\nJIT: {jit.Stderr}");
        Assert.Equal(Mask(jit.Stdout, jitRun), Mask(aot.Stdout, aotRun));
        Assert.Equal(Mask(jit.Stderr, jitRun), Mask(aot.Stderr, aotRun));
        Assert.NotEqual("", aot.Stdout + aot.Stderr);
    }

    private static string[] Expand(string corpusLine, LibxlRun run) =>
        corpusLine.Split('\t')
            .Select(arg => arg.Replace("{out}", run.OutputPath).Replace("{dir}", run.OutputDirectory).Replace("{disk}", run.DiskPath))
            .ToArray();

    private static string Mask(string text, LibxlRun run) =>
        text.Replace(run.XenLibDir, "{xenlib}").Replace($"bootloader.{run.Domid}.", "bootloader.N.");
}
