using Xunit.Abstractions;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// The differential test: every case of the OpenPGP corpus (<see cref="OpenPgpCorpusCases"/>) is
/// judged by sqv (Sequoia, APT's verifier from Debian 13), by gpgv (GnuPG) and by xenmatchbox
/// (a verified boot: the document served as the kernel, the signature as vmlinuz.sig, the key
/// files given with --asset-key). "Verified" means what sqv means: xenmatchbox's verdict is sqv's
/// in every case but the deliberate differences of <see cref="Differences"/>, and each case ends
/// with its own XMB code. The table of verdicts is printed and written for quoting.
/// </summary>
[Collection(OpenPgpCorpusCollection.Name)]
public sealed class OpenPgpDifferentialTests(OpenPgpCorpus corpus, ITestOutputHelper output)
{
    public static TheoryData<string> CaseNames()
    {
        var names = new TheoryData<string>();
        foreach (var corpusCase in OpenPgpCorpusCases.All) names.Add(corpusCase.Name);
        return names;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task A_corpus_case_ends_with_its_code_and_agrees_with_sqv(string name)
    {
        var verdict = await corpus.VerdictAsync(name);

        output.WriteLine(verdict.ToString());
        var problems = OpenPgpCorpus.Problems(verdict);
        Assert.True(problems.Count == 0, $"{string.Join("; ", problems)}\n{verdict}");
        if (verdict.Boot is { ExitCode: not 0 } boot)
        {
            // A refusal is the whole FailureTests contract: one line, nothing left behind.
            var slot = corpus.Slot(name);
            FailureTests.AssertFailed(boot, 8, verdict.Case.Code!, verdict.Case.Code == "XMB-702" ? corpus.KeyFiles(slot)[0] : corpus.KernelUrl(slot));
        }
    }

    [Fact]
    public async Task Xenmatchbox_never_accepts_what_sqv_refuses_outside_the_allow_list()
    {
        var verdicts = await corpus.VerdictsAsync();

        var accepted = verdicts.Where(v => v.XmbValid && !v.SqvValid && !Differences.Accepting.Contains(v.Case.Difference)).ToList();
        Assert.True(accepted.Count == 0, "xenmatchbox booted what sqv refuses:\n" + string.Join("\n", accepted));
    }

    [Fact]
    public async Task The_table_of_verdicts_is_printed_and_written()
    {
        var verdicts = await corpus.VerdictsAsync();

        var table = OpenPgpCorpus.Table(verdicts);
        output.WriteLine($"OpenPGP corpus: {verdicts.Count} cases, built in {corpus.BuildTime.TotalSeconds:F1} s (the keys in {corpus.MaterialTime.TotalSeconds:F1} s), judged in {corpus.JudgeTime.TotalSeconds:F1} s");
        output.WriteLine($"table: {corpus.TablePath}; what each verifier said: {Path.Combine(corpus.Root, "details.txt")}");
        output.WriteLine(table);
        Assert.Equal(table, await File.ReadAllTextAsync(corpus.TablePath));
        Assert.Equal(OpenPgpCorpusCases.All.Count, verdicts.Count);
    }
}
