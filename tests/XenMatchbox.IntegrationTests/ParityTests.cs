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

        var (aotArgv, aotEnvironment) = Expand(corpusLine, aotRun);
        var (jitArgv, jitEnvironment) = Expand(corpusLine, jitRun);
        var aot = await aotRun.RunAsync(aotArgv, environment: aotEnvironment);
        var jit = await jitRun.RunAsync(jitArgv, jit: true, environment: jitEnvironment);

        // Paths differ between the two runs; compare with each run's own paths masked.
        Assert.True(aot.ExitCode == jit.ExitCode, $"corpus line {line}: exit {aot.ExitCode} (AOT) vs {jit.ExitCode} (JIT)\nAOT: {aot.Stderr}\nJIT: {jit.Stderr}");
        Assert.Equal(Mask(jit.Stdout, jitRun), Mask(aot.Stdout, aotRun));
        Assert.Equal(Mask(jit.Stderr, jitRun), Mask(aot.Stderr, aotRun));
        Assert.NotEqual("", aot.Stdout + aot.Stderr);
    }

    /// <summary>
    /// A corpus line as argv and environment: leading NAME=value fields (NAME in upper case) are
    /// environment variables, a leading conf=TEXT field is written to the run's {conf} file (with
    /// \n, \t, \\ and \xHH escapes), and the placeholders expand in arguments and values alike.
    /// </summary>
    private static (string[] Argv, Dictionary<string, string> Environment) Expand(string corpusLine, LibxlRun run)
    {
        var config = Path.Combine(run.XenLibDir, "corpus.conf");
        string Placeholders(string text) =>
            text.Replace("{out}", run.OutputPath).Replace("{dir}", run.OutputDirectory).Replace("{disk}", run.DiskPath).Replace("{conf}", config);
        var fields = corpusLine.Split('\t');
        var environment = new Dictionary<string, string>();
        var at = 0;
        for (; at < fields.Length; at++)
        {
            var field = fields[at];
            var equals = field.IndexOf('=');
            if (field.StartsWith("conf=", StringComparison.Ordinal))
            {
                File.WriteAllBytes(config, Unescape(field["conf=".Length..]));
            }
            else if (equals > 0 && field[..equals].All(c => c is (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_'))
            {
                environment[field[..equals]] = Placeholders(field[(equals + 1)..]);
            }
            else
            {
                break;
            }
        }
        return (fields[at..].Select(Placeholders).ToArray(), environment);
    }

    private static byte[] Unescape(string text)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\' || i + 1 == text.Length)
            {
                bytes.AddRange(System.Text.Encoding.UTF8.GetBytes(text[i].ToString()));
                continue;
            }
            switch (text[++i])
            {
                case 'n': bytes.Add((byte)'\n'); break;
                case 't': bytes.Add((byte)'\t'); break;
                case 'x': bytes.Add(Convert.ToByte(text.Substring(i + 1, 2), 16)); i += 2; break;
                default: bytes.AddRange(System.Text.Encoding.UTF8.GetBytes(text[i].ToString())); break;
            }
        }
        return bytes.ToArray();
    }

    private static string Mask(string text, LibxlRun run) =>
        text.Replace(run.XenLibDir, "{xenlib}").Replace($"bootloader.{run.Domid}.", "bootloader.N.");
}
