using System.Diagnostics;
using System.Text;

namespace XenMatchbox.IntegrationTests;

/// <summary>What one run of the bootloader left: exit status, console text and the files.</summary>
public sealed record BootOutcome(int ExitCode, string Stdout, string Stderr, byte[] StdoutBytes, byte[] OutputFile, string[] DirectoryEntries)
{
    public LibxlOutput Result => LibxlOutput.Read(OutputFile);

    /// <summary>The one error line, e.g. "xenmatchbox: XMB-201: …".</summary>
    public string ErrorLine => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";

    public override string ToString() => $"exit {ExitCode}\nstderr: {Stderr}\nfiles: {string.Join(", ", DirectoryEntries)}";
}

/// <summary>
/// Runs xenmatchbox the way libxl does: a pre-created empty output file (0600) and output directory
/// named after a domid, argv of libxl's flags, then bootloader_args, then the disk path last.
/// </summary>
public sealed class LibxlRun : IDisposable
{
    private static int nextDomid = 1;

    public LibxlRun()
    {
        Domid = Interlocked.Increment(ref nextDomid);
        XenLibDir = Directory.CreateTempSubdirectory("xmb-libxl-").FullName;
        OutputPath = Path.Combine(XenLibDir, $"bootloader.{Domid}.out");
        OutputDirectory = Path.Combine(XenLibDir, $"bootloader.{Domid}.d");
        File.WriteAllBytes(OutputPath, []);
        File.SetUnixFileMode(OutputPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        // As libxl makes it: root's, mode 0600, so only root can create files in it.
        Directory.CreateDirectory(OutputDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        DiskPath = Path.Combine(XenLibDir, "guest.img");
        File.WriteAllBytes(DiskPath, new byte[4096]);
    }

    public int Domid { get; }
    public string XenLibDir { get; }
    public string OutputPath { get; }
    public string OutputDirectory { get; }
    public string DiskPath { get; }

    /// <summary>
    /// This run's own asset cache (inside its temporary directory), so that runs share no cache state
    /// unless a test passes --cache-dir (or --no-cache) itself.
    /// </summary>
    public string CacheDirectory => Path.Combine(XenLibDir, "cache");

    /// <summary>An empty configuration file, named by XENMATCHBOX_CONFIG unless a test sets its own.</summary>
    public string EmptyConfigFile
    {
        get
        {
            var path = Path.Combine(XenLibDir, "empty.conf");
            if (!File.Exists(path)) File.WriteAllText(path, "");
            return path;
        }
    }

    /// <summary>libxl's own flags, as make_bootloader_args builds them (no kernel/ramdisk/args in the config).</summary>
    public List<string> LibxlFlags(string? configArgs = null, string format = "simple0")
    {
        var flags = new List<string>();
        if (configArgs is not null) flags.Add($"--args={configArgs}");
        flags.Add($"--output={OutputPath}");
        flags.Add($"--output-format={format}");
        flags.Add($"--output-directory={OutputDirectory}");
        return flags;
    }

    public Task<BootOutcome> BootAsync(IEnumerable<string> bootloaderArgs, string? configArgs = null, string format = "simple0") =>
        RunAsync([.. LibxlFlags(configArgs, format), .. bootloaderArgs, DiskPath]);

    /// <summary>
    /// Runs the program; <paramref name="whileRunning"/> gets the process while it runs (to signal
    /// it, or look at it), and <paramref name="environment"/> adds variables, as xl's would. With
    /// <paramref name="terminal"/> its standard output and error are a pty, as under `xl create -c`
    /// (through util-linux `script`); Stdout is then what the terminal showed, both streams mixed.
    /// <paramref name="umask"/> (e.g. "077") is the file-mode mask the program starts with.
    /// </summary>
    public async Task<BootOutcome> RunAsync(
        IReadOnlyList<string> argv, bool jit = false, TimeSpan? timeout = null,
        Func<Process, Task>? whileRunning = null, IReadOnlyDictionary<string, string>? environment = null,
        bool terminal = false, string? umask = null)
    {
        var start = jit ? new ProcessStartInfo("dotnet") : new ProcessStartInfo(PublishedProgram.AotExecutable);
        if (jit) start.ArgumentList.Add(PublishedProgram.JitAssembly);
        // show, stage and check are words that must come first.
        var command = argv.Count > 0 && argv[0] is "show" or "stage" or "check" ? argv[0] : null;
        if (command is not null) start.ArgumentList.Add(command);
        if (!argv.Any(arg => arg.StartsWith("--cache-dir", StringComparison.Ordinal) || arg == "--no-cache"))
        {
            start.ArgumentList.Add($"--cache-dir={CacheDirectory}");
        }
        foreach (var arg in command is null ? argv : argv.Skip(1)) start.ArgumentList.Add(arg);
        if (umask is not null)
        {
            // The file-mode mask xl was started with (the shell sets it, then becomes the program).
            var wrapped = new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", $"umask {umask} && exec \"$0\" \"$@\"", start.FileName } };
            foreach (var arg in start.ArgumentList) wrapped.ArgumentList.Add(arg);
            start = wrapped;
        }
        if (terminal)
        {
            var words = string.Join(' ', new[] { start.FileName }.Concat(start.ArgumentList).Select(ShellQuote));
            start = new ProcessStartInfo("script") { ArgumentList = { "--quiet", "--return", "--command", words, "/dev/null" } };
        }
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = true;
        start.Environment["TERM"] = "vt100";   // libxl adds this
        // Hermetic: no configuration file of the machine's, unless a test names one.
        start.Environment["XENMATCHBOX_CONFIG"] = EmptyConfigFile;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = new MemoryStream();
        var copyOut = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            if (whileRunning is not null)
            {
                await whileRunning(process);
            }
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"xenmatchbox did not exit: {string.Join(' ', argv)}");
        }
        await copyOut;
        var stdoutBytes = stdout.ToArray();
        return new BootOutcome(
            process.ExitCode,
            Encoding.UTF8.GetString(stdoutBytes),
            await stderr,
            stdoutBytes,
            File.Exists(OutputPath) ? await File.ReadAllBytesAsync(OutputPath) : [],
            Directory.Exists(OutputDirectory)
                ? Directory.GetFileSystemEntries(OutputDirectory).Select(Path.GetFileName).OfType<string>().Order().ToArray()
                : []);
    }

    private static string ShellQuote(string word) => "'" + word.Replace("'", "'\\''") + "'";

    public void Dispose()
    {
        try { Directory.Delete(XenLibDir, recursive: true); }
        catch (IOException) { }
    }
}
