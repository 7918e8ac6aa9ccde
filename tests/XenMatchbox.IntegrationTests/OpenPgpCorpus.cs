using System.Diagnostics;
using System.Text;
using XenMatchbox.TestServer;

namespace XenMatchbox.IntegrationTests;

[CollectionDefinition(Name)]
public sealed class OpenPgpCorpusCollection : ICollectionFixture<OpenPgpCorpus>
{
    public const string Name = "OpenPGP corpus";
}

/// <summary>One case's verdicts: sqv's, gpgv's and xenmatchbox's (a verified boot).</summary>
public sealed record CaseVerdict(CorpusCase Case, bool SqvValid, string Sqv, bool GpgvValid, string Gpgv, BootOutcome? Boot, string? BuildError)
{
    public bool XmbValid => Boot is { ExitCode: 0 };

    /// <summary>The XMB code xenmatchbox ended with, "-" when it booted.</summary>
    public string XmbCode => Boot is null ? "(not run)"
        : Boot.ExitCode == 0 ? "-"
        : Boot.ErrorLine.StartsWith("xenmatchbox: XMB-", StringComparison.Ordinal) ? Boot.ErrorLine["xenmatchbox: ".Length..][..7] : $"exit {Boot.ExitCode}";

    public override string ToString() =>
        $"{Case.Name}: expected {Case.Code ?? "a boot"}{(Case.Difference is null ? "" : $" ({Case.Difference})")}; " +
        $"xenmatchbox {(Boot is null ? BuildError : $"exit {Boot.ExitCode}: {Boot.ErrorLine}")}; sqv {(SqvValid ? "valid" : "refused")}: {Sqv}; gpgv {(GpgvValid ? "valid" : "refused")}: {Gpgv}";
}

/// <summary>
/// The OpenPGP corpus (<see cref="OpenPgpCorpusCases"/>) built once: every case's document,
/// signature and key files written where one test server serves them (/assets/cNNN/vmlinuz and
/// vmlinuz.sig, a profile per case selected by case=cNNN), and the verdicts of sqv, gpgv and
/// xenmatchbox on each, taken once (lazily) and shared by the tests of the collection. The table of
/// verdicts and what each verifier said go to verdicts.md and details.txt in <see cref="Root"/>,
/// which is kept after the run; the case files are removed unless XMB_KEEP_OPENPGP_CORPUS=1.
/// </summary>
public sealed class OpenPgpCorpus : IAsyncLifetime
{
    /// <summary>The profiles the mutation test boots, one per worker: /assets/mutationN/vmlinuz.</summary>
    public static readonly string[] MutationSlots = ["mutation0", "mutation1"];

    /// <summary>How many cases are judged at once (the machine has two cores).</summary>
    public const int Workers = 2;

    private readonly Lazy<Task<IReadOnlyList<CaseVerdict>>> verdicts;
    private readonly Dictionary<string, (CaseFiles? Files, string? Error, string Slot)> built = [];
    private MatchboxTestServer server = null!;

    public OpenPgpCorpus()
    {
        verdicts = new(JudgeAllAsync);
        Root = Directory.CreateTempSubdirectory("xmb-openpgp-corpus-").FullName;
    }

    /// <summary>Where the corpus, the table and the details are.</summary>
    public string Root { get; }

    public string Assets => Path.Combine(Root, "assets");

    public CorpusMaterial Material { get; private set; } = null!;

    public string TablePath => Path.Combine(Root, "verdicts.md");

    public async Task InitializeAsync()
    {
        var watch = Stopwatch.StartNew();
        Material = await Task.Run(() => new CorpusMaterial());
        MaterialTime = watch.Elapsed;
        var slots = new List<string>(MutationSlots);
        for (var i = 0; i < OpenPgpCorpusCases.All.Count; i++)
        {
            var corpusCase = OpenPgpCorpusCases.All[i];
            var slot = $"c{i:D3}";
            slots.Add(slot);
            try
            {
                var files = corpusCase.Build(Material);
                WriteSlot(slot, files);
                built[corpusCase.Name] = (files, null, slot);
            }
            catch (Exception e)
            {
                built[corpusCase.Name] = (null, e.Message, slot);
            }
        }
        Directory.CreateDirectory(Path.Combine(Root, "gpgv-home"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        server = await MatchboxTestServer.StartAsync(new MatchboxTestServerOptions
        {
            AssetsPath = Assets,
            GrpcEndPoint = null,
            Store = new FixedStore(
                slots.Select(slot => new MatchboxGroup { Id = slot, Profile = slot, Selector = MatchboxFixture.Case(slot) }),
                slots.Select(slot => new MatchboxProfile { Id = slot, Boot = new MatchboxBoot { Kernel = $"/assets/{slot}/vmlinuz", Args = ["console=hvc0"] } })),
        });
        BuildTime = watch.Elapsed;
    }

    /// <summary>How long making the keys took.</summary>
    public TimeSpan MaterialTime { get; private set; }

    /// <summary>How long making the keys and the cases took.</summary>
    public TimeSpan BuildTime { get; private set; }

    /// <summary>Writes a case's document, signature and key files where its profile serves them.</summary>
    public void WriteSlot(string slot, CaseFiles files)
    {
        var dir = Path.Combine(Assets, slot);
        var keys = Path.Combine(Root, "keys", slot);
        Directory.CreateDirectory(dir);
        if (Directory.Exists(keys)) Directory.Delete(keys, recursive: true);
        Directory.CreateDirectory(keys);
        File.WriteAllBytes(Path.Combine(dir, "vmlinuz"), files.Data);
        File.WriteAllBytes(Path.Combine(dir, "vmlinuz.sig"), files.Signature);
        for (var i = 0; i < files.Keys.Length; i++)
        {
            var armoured = files.Keys[i].AsSpan().StartsWith("-----BEGIN"u8);
            File.WriteAllBytes(Path.Combine(keys, $"key{i}.{(armoured ? "asc" : "gpg")}"), files.Keys[i]);
        }
    }

    public IReadOnlyList<string> KeyFiles(string slot) => [.. Directory.GetFiles(Path.Combine(Root, "keys", slot)).Order(StringComparer.Ordinal)];

    public string Slot(string caseName) => built[caseName].Slot;

    public string KernelUrl(string slot) => $"{server.HttpBaseUrl}/assets/{slot}/vmlinuz";

    /// <summary>HTTP-only bootloader_args for the slot's profile, assets verified against the slot's key files.</summary>
    public List<string> BootArgs(string slot, params string[] more) =>
    [
        "--server", "127.0.0.1", "--httpport", server.HttpEndPoint.Port.ToString(), "--lookup", $"case={slot}",
        "--verify-assets=required", .. KeyFiles(slot).SelectMany(k => new[] { "--asset-key", k }), "--no-cache", .. more,
    ];

    /// <summary>Every case's verdicts, taken once.</summary>
    public Task<IReadOnlyList<CaseVerdict>> VerdictsAsync() => verdicts.Value;

    public async Task<CaseVerdict> VerdictAsync(string caseName) => (await VerdictsAsync()).Single(v => v.Case.Name == caseName);

    private async Task<IReadOnlyList<CaseVerdict>> JudgeAllAsync()
    {
        var watch = Stopwatch.StartNew();
        var results = new CaseVerdict[OpenPgpCorpusCases.All.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, results.Length), new ParallelOptions { MaxDegreeOfParallelism = Workers }, async (i, _) =>
        {
            var corpusCase = OpenPgpCorpusCases.All[i];
            var (files, error, slot) = built[corpusCase.Name];
            results[i] = files is null
                ? new CaseVerdict(corpusCase, false, "", false, "", null, $"not built: {error}")
                : await JudgeAsync(corpusCase, slot);
        });
        JudgeTime = watch.Elapsed;
        await File.WriteAllTextAsync(TablePath, Table(results));
        await File.WriteAllTextAsync(Path.Combine(Root, "details.txt"), string.Join("\n", results.Select(r => r.ToString())) + "\n");
        return results;
    }

    /// <summary>How long the verdicts took.</summary>
    public TimeSpan JudgeTime { get; private set; }

    private async Task<CaseVerdict> JudgeAsync(CorpusCase corpusCase, string slot)
    {
        var (sqvValid, sqv) = Sqv(slot);
        var (gpgvValid, gpgv) = Gpgv(slot);
        using var run = new LibxlRun();
        var boot = await run.BootAsync(BootArgs(slot));
        return new CaseVerdict(corpusCase, sqvValid, sqv, gpgvValid, gpgv, boot, null);
    }

    /// <summary>sqv's verdict on the slot's signature and document with its key files: exit 0 is valid.</summary>
    public (bool Valid, string Said) Sqv(string slot)
    {
        var dir = Path.Combine(Assets, slot);
        List<string> args = [.. KeyFiles(slot).SelectMany(k => new[] { "--keyring", k }), Path.Combine(dir, "vmlinuz.sig"), Path.Combine(dir, "vmlinuz")];
        return Verify("sqv", args);
    }

    /// <summary>gpgv's verdict: binary key files only (an armoured one is dearmoured first), given by absolute path.</summary>
    public (bool Valid, string Said) Gpgv(string slot)
    {
        var dir = Path.Combine(Assets, slot);
        var keyrings = new List<string>();
        foreach (var key in KeyFiles(slot))
        {
            if (key.EndsWith(".asc", StringComparison.Ordinal))
            {
                // Beside, not among, the case's key files: those are what the boot gives.
                var dearmoured = Path.Combine(Root, "gpgv-keys", slot);
                Directory.CreateDirectory(dearmoured);
                var binary = Path.Combine(dearmoured, Path.GetFileNameWithoutExtension(key) + ".gpg");
                try
                {
                    File.WriteAllBytes(binary, OpenPgpPackets.Dearmour(File.ReadAllBytes(key)));
                }
                catch (FormatException)
                {
                    File.Copy(key, binary, overwrite: true);
                }
                keyrings.Add(binary);
            }
            else
            {
                keyrings.Add(key);
            }
        }
        List<string> args = ["--homedir", Path.Combine(Root, "gpgv-home"), .. keyrings.SelectMany(k => new[] { "--keyring", Path.GetFullPath(k) }), Path.Combine(dir, "vmlinuz.sig"), Path.Combine(dir, "vmlinuz")];
        return Verify("gpgv", args);
    }

    private static (bool, string) Verify(string program, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill(entireProcessTree: true);
            return (false, "timed out");
        }
        var said = string.Join(" / ", (stderr.Result + stdout.Result).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => !line.StartsWith("gpgv: keyblock resource", StringComparison.Ordinal)));
        return (process.ExitCode == 0, said);
    }

    /// <summary>The table the lead quotes: case | sqv | gpgv | xenmatchbox | code, with what was expected.</summary>
    public static string Table(IEnumerable<CaseVerdict> results)
    {
        static string Word(bool valid) => valid ? "valid" : "refused";
        var text = new StringBuilder();
        text.Append("| case | sqv | gpgv | xenmatchbox | code | expected | as expected |\n|---|---|---|---|---|---|---|\n");
        foreach (var r in results)
        {
            var expected = (r.Case.Code ?? "valid") + (r.Case.Difference is null ? "" : $" ({r.Case.Difference})");
            var xmb = r.Boot is null ? "not built" : r.XmbValid ? "valid" : r.Boot.ExitCode == 8 ? "refused" : $"exit {r.Boot.ExitCode}";
            text.Append($"| {r.Case.Name} | {Word(r.SqvValid)} | {Word(r.GpgvValid)} | {xmb} | {r.XmbCode} | {expected} | {(Problems(r).Count == 0 ? "yes" : "NO")} |\n");
        }
        return text.ToString();
    }

    /// <summary>
    /// What is wrong with a case's verdicts: xenmatchbox's exit and code, and its agreement with
    /// sqv (the same verdict, or the opposite where the case names a deliberate difference, for a
    /// lone CR in text mode with gpgv on xenmatchbox's side).
    /// </summary>
    public static List<string> Problems(CaseVerdict r)
    {
        var problems = new List<string>();
        if (r.Boot is null)
        {
            problems.Add(r.BuildError ?? "not run");
            return problems;
        }
        if (r.Boot.ExitCode is not (0 or 8)) problems.Add($"xenmatchbox exited {r.Boot.ExitCode}, not 0 or 8");
        if (r.Case.Code is null && !r.XmbValid) problems.Add("xenmatchbox refused it");
        if (r.Case.Code is { } code && r.XmbCode != code) problems.Add($"xenmatchbox ended with {r.XmbCode}, not {code}");
        if (r.Case.Difference is null && r.XmbValid != r.SqvValid) problems.Add($"xenmatchbox and sqv disagree ({(r.XmbValid ? "valid" : "refused")} / {(r.SqvValid ? "valid" : "refused")})");
        if (r.Case.Difference is not null && r.XmbValid == r.SqvValid) problems.Add($"the allow-listed difference ({r.Case.Difference}) did not show: both say {(r.SqvValid ? "valid" : "refused")}");
        if (r.Case.Difference == Differences.LoneCrText && r.GpgvValid != r.XmbValid) problems.Add("gpgv, whose text hashing xenmatchbox follows, disagrees");
        return problems;
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        Material.Dispose();
        if (Environment.GetEnvironmentVariable("XMB_KEEP_OPENPGP_CORPUS") != "1")
        {
            foreach (var dir in new[] { Assets, Path.Combine(Root, "keys"), Path.Combine(Root, "gpgv-keys"), Path.Combine(Root, "gpgv-home") })
            {
                if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
            }
        }
    }
}
