using static XenMatchbox.IntegrationTests.FailureTests;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// The fault matrix of the OpenPGP judgement, one row per class of fault from the corpus: a boot
/// ends with exit status 8, the one XMB line of its class, an empty output file and nothing in the
/// output directory; a text signature GnuPG made over a lone CR verifies; and a malformed key file
/// or signature is XMB-702/704 for a boot, for `show` and for `check`, never XMB-900.
/// </summary>
[Collection(OpenPgpCorpusCollection.Name)]
public sealed class OpenPgpFaultTests(OpenPgpCorpus corpus)
{
    private const string MalformedKeyFile = "key file: key packet of version 0xFF";
    private const string MalformedSignature = "signature packet of version 0xFF";

    [Theory]
    [InlineData("subkey of another key appended, unbound", "XMB-710")]
    [InlineData("subkey appended, bound by another primary", "XMB-710")]
    [InlineData("signing subkey without back-signature", "XMB-710")]
    [InlineData("primary revoked: old+new in one file", "XMB-708")]
    [InlineData("subkey revoked: old, new as two files", "XMB-708")]
    [InlineData("expiry shortened: new+old in one file", "XMB-707")]
    [InlineData("certify-only primary key signs data", "XMB-711")]
    [InlineData("usage changed to encrypt-only", "XMB-711")]
    [InlineData("critical notation in the data signature", "XMB-704")]
    [InlineData("text over lone CR, served with CRLF there", "XMB-706")]
    [InlineData(MalformedSignature, "XMB-704")]
    [InlineData("signature packet cut short", "XMB-704")]
    public async Task A_signature_the_keys_do_not_vouch_for_ends_the_boot_with_its_code(string name, string code)
    {
        var slot = corpus.Slot(name);
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(corpus.BootArgs(slot));

        AssertFailed(outcome, 8, code, corpus.KernelUrl(slot));
    }

    [Theory]
    [InlineData(MalformedKeyFile)]
    [InlineData("key file cut short")]
    public async Task A_malformed_key_file_is_XMB_702_not_a_crash(string name)
    {
        var slot = corpus.Slot(name);
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(corpus.BootArgs(slot));

        AssertFailed(outcome, 8, "XMB-702", corpus.KeyFiles(slot)[0]);
    }

    [Theory]
    [InlineData("text SHA-256 over lone CR")]
    [InlineData("text SHA-512 over trailing CR")]
    public async Task A_text_signature_GnuPG_made_over_a_lone_CR_verifies(string name)
    {
        var slot = corpus.Slot(name);
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(corpus.BootArgs(slot));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Matches($"xenmatchbox: kernel .*, verified \\({corpus.Material.Rsa.Fingerprint[^16..]}\\)", outcome.Stderr);
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(corpus.Assets, slot, "vmlinuz")), await File.ReadAllBytesAsync(outcome.Result.Kernel!));
    }

    [Fact]
    public async Task Show_with_a_malformed_key_file_is_XMB_702_not_a_crash()
    {
        var slot = corpus.Slot(MalformedKeyFile);
        using var run = new LibxlRun();

        var outcome = await run.RunAsync(["show", .. corpus.BootArgs(slot)]);

        Assert.True(outcome.ExitCode == 8, outcome.ToString());
        Assert.StartsWith("xenmatchbox: XMB-702: ", outcome.ErrorLine);
        Assert.Contains(corpus.KeyFiles(slot)[0], outcome.ErrorLine);
    }

    [Fact]
    public async Task Show_with_a_malformed_signature_says_a_boot_would_refuse_it_with_XMB_704()
    {
        var slot = corpus.Slot(MalformedSignature);
        using var run = new LibxlRun();

        var outcome = await run.RunAsync(["show", .. corpus.BootArgs(slot)]);

        Assert.True(outcome.ExitCode == 8, outcome.Stdout + outcome);
        Assert.Contains($"          {corpus.KernelUrl(slot)}.sig: a boot would refuse it: XMB-704: ", outcome.Stdout);
        Assert.Contains("verdict:  a boot would fail: XMB-704: ", outcome.Stdout);
        Assert.DoesNotContain("XMB-900", outcome.Stdout + outcome.Stderr);
    }

    [Fact]
    public async Task Check_with_a_malformed_key_file_fails_its_line_with_XMB_702_not_a_crash()
    {
        var slot = corpus.Slot(MalformedKeyFile);
        using var run = new LibxlRun();

        var outcome = await run.RunAsync(["check", .. corpus.BootArgs(slot)]);

        Assert.True(outcome.ExitCode == 9, outcome.Stdout + outcome);
        Assert.Contains(outcome.Stdout.Split('\n'), l => l.StartsWith($"✗ --asset-key {corpus.KeyFiles(slot)[0]}: XMB-702: ", StringComparison.Ordinal));
        Assert.DoesNotContain("XMB-900", outcome.Stdout + outcome.Stderr);
    }

    [Fact]
    public async Task Check_with_a_malformed_signature_fails_the_kernel_line_with_XMB_704()
    {
        var slot = corpus.Slot(MalformedSignature);
        using var run = new LibxlRun();

        var outcome = await run.RunAsync(["check", .. corpus.BootArgs(slot)]);

        Assert.True(outcome.ExitCode == 9, outcome.Stdout + outcome);
        Assert.Contains(outcome.Stdout.Split('\n'), l => l.StartsWith($"✗ kernel {corpus.KernelUrl(slot)}: XMB-704: ", StringComparison.Ordinal));
        Assert.DoesNotContain("XMB-900", outcome.Stdout + outcome.Stderr);
    }
}
