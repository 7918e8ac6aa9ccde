using System.Net;
using System.Net.Sockets;
using XenMatchbox.TestServer;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// Boots that fail: each ends with one "xenmatchbox: XMB-nnn: cause — fix" line, the documented
/// exit status, an empty output file and nothing of the run in the output directory.
/// </summary>
[Collection(MatchboxCollection.Name)]
public sealed class FailureTests(MatchboxFixture matchbox)
{
    internal static void AssertFailed(BootOutcome outcome, int exitCode, string code, string causeFragment)
    {
        Assert.True(outcome.ExitCode == exitCode, $"expected exit {exitCode}: {outcome}");
        Assert.StartsWith($"xenmatchbox: {code}: ", outcome.ErrorLine);
        Assert.Contains(causeFragment, outcome.ErrorLine);
        Assert.Contains(" — ", outcome.ErrorLine);
        Assert.Empty(outcome.OutputFile);
        Assert.Empty(outcome.DirectoryEntries);
    }

    /// <summary>Runs a boot with some of the TLS flags pointing into a PKI unrelated to the server's.</summary>
    private async Task<BootOutcome> BootWithUnrelatedPki(params (string Flag, Func<CertificateFiles, string> File)[] replacements)
    {
        using var other = matchbox.Server.Certificates!.CreateUnrelated();
        var dir = Directory.CreateTempSubdirectory("xmb-unrelated-pki-").FullName;
        try
        {
            var files = other.WriteTo(dir);
            using var run = new LibxlRun();
            var args = matchbox.BootloaderArgs("case=whatever");
            foreach (var (flag, file) in replacements)
            {
                args[args.IndexOf(flag) + 1] = file(files);
            }
            return await run.BootAsync(args);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task An_unknown_variable_names_it_and_the_labels_known()
    {
        matchbox.AddScenario("unknown-var", new MatchboxBoot { Kernel = "/assets/os/vmlinuz", Args = ["id=${serial}"] }, MatchboxFixture.Case("unknown-var"));
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(matchbox.BootloaderArgs("case=unknown-var"));

        AssertFailed(outcome, 4, "XMB-310", "${serial}");
        Assert.Contains("labels known: case", outcome.ErrorLine);
    }

    [Fact]
    public async Task Template_code_in_the_args_is_refused_not_evaluated()
    {
        matchbox.AddScenario("template-code", new MatchboxBoot { Kernel = "/assets/os/vmlinuz", Args = ["x={{ printf \"%s\" .case }}"] }, MatchboxFixture.Case("template-code"));
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(matchbox.BootloaderArgs("case=template-code"));

        AssertFailed(outcome, 4, "XMB-311", "printf");
    }

    [Fact]
    public async Task No_matching_group_says_so_with_the_labels_sent()
    {
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(matchbox.BootloaderArgs("case=nobody-selects-this", "mac=52-54-00-AA-BB-CC"));

        AssertFailed(outcome, 3, "XMB-201", "no matchbox group matches labels case=nobody-selects-this mac=52:54:00:aa:bb:cc");
    }

    [Fact]
    public async Task A_group_whose_profile_is_missing_is_reported_as_such()
    {
        matchbox.AddScenario("profile-missing", null, MatchboxFixture.Case("profile-missing"), profileExists: false);
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(matchbox.BootloaderArgs("case=profile-missing"));

        AssertFailed(outcome, 3, "XMB-202", "profile is missing");
    }

    [Fact]
    public async Task A_profile_without_a_kernel_is_refused()
    {
        matchbox.AddScenario("no-kernel", new MatchboxBoot { Args = ["a"] }, MatchboxFixture.Case("no-kernel"));
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(matchbox.BootloaderArgs("case=no-kernel"));

        AssertFailed(outcome, 4, "XMB-301", "'no-kernel' has no boot.kernel");
    }

    [Fact]
    public async Task A_kernel_404_names_the_URL_and_leaves_nothing_behind()
    {
        matchbox.AddScenario("kernel-404", new MatchboxBoot
        {
            Kernel = "/assets/os/missing-vmlinuz",
            Initrd = ["/assets/os/initrd-a.img"],
        }, MatchboxFixture.Case("kernel-404"));
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(matchbox.BootloaderArgs("case=kernel-404"));

        AssertFailed(outcome, 5, "XMB-401", $"{matchbox.Server.HttpBaseUrl}/assets/os/missing-vmlinuz answered HTTP 404");
    }

    [Fact]
    public async Task An_initrd_answering_500_fails_the_boot_after_the_kernel_was_written()
    {
        matchbox.AddScenario("initrd-500", new MatchboxBoot
        {
            Kernel = "/assets/os/vmlinuz",
            Initrd = ["/assets/os/initrd-a.img", "/assets/os/initrd-500.img"],
        }, MatchboxFixture.Case("initrd-500"));
        matchbox.Server.Faults.Set("/assets/os/initrd-500.img", AssetFault.Status(500));
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(matchbox.BootloaderArgs("case=initrd-500"));

        AssertFailed(outcome, 5, "XMB-401", "initrd-500.img answered HTTP 500");
    }

    [Fact]
    public async Task A_server_certificate_from_another_CA_is_not_trusted()
    {
        var outcome = await BootWithUnrelatedPki(("--ca", files => files.CaFile));

        AssertFailed(outcome, 3, "XMB-205", "is not trusted: it is issued by CN=fake-ca, and --ca ");
        Assert.Contains(" does not vouch for it", outcome.ErrorLine);
    }

    /// <summary>
    /// matchbox refuses a client certificate its CA file does not vouch for with a TLS alert (Go's
    /// TLS stack sends "bad certificate" for another CA, an expired certificate or none; other
    /// servers send the others): XMB-207, naming the alert the client read, not tried again.
    /// </summary>
    [Theory]
    [InlineData(42, "bad certificate")]
    [InlineData(48, "unknown ca")]
    [InlineData(45, "certificate expired")]
    [InlineData(116, "certificate required")]
    public async Task A_client_certificate_refused_with_a_TLS_alert_is_XMB_207_naming_the_alert(short alert, string name)
    {
        using var refusing = new TlsAlertListener(matchbox.Server.TlsFiles!, alert);

        var outcome = await BootWithUnrelatedPki(
            ("--cert", files => files.ClientCertFile), ("--key", files => files.ClientKeyFile), ("--grpcport", _ => refusing.Port.ToString()));

        AssertFailed(outcome, 3, "XMB-207", $"127.0.0.1:{refusing.Port} refused our client certificate with the TLS alert \"{name}\"");
        // One try; .NET's HTTP/2 pool may open another connection or two for it on its own.
        Assert.InRange(refusing.Refusals, 1, 3);
    }

    /// <summary>
    /// The test server's Kestrel, like any .NET server, refuses a client certificate of another CA
    /// by completing the handshake and closing, without an alert: from the client that is a server
    /// going away, so XMB-204 after retries, whose fix names the client certificate as one possible
    /// cause and matchbox's log as where to look.
    /// </summary>
    [Fact]
    public async Task A_client_certificate_refused_without_an_alert_is_unreachable_and_the_fix_names_the_certificate()
    {
        var outcome = await BootWithUnrelatedPki(("--cert", files => files.ClientCertFile), ("--key", files => files.ClientKeyFile));

        AssertFailed(outcome, 3, "XMB-204", "it closed the connection right after the TLS handshake, before a byte of HTTP/2");
        Assert.Contains("client certificate", outcome.ErrorLine.Split(" — ")[1]);
        Assert.Contains("matchbox's log", outcome.ErrorLine.Split(" — ")[1]);
    }

    /// <summary>
    /// A TLS front whose backend is down: it accepts our certificate, completes the handshake, reads
    /// the request and closes, on every try. Not a refused certificate: XMB-204.
    /// </summary>
    [Fact]
    public async Task A_TLS_front_whose_backend_is_down_is_unreachable_not_a_refused_certificate()
    {
        using var front = new TlsAlertListener(matchbox.Server.TlsFiles!);
        using var run = new LibxlRun();
        var args = matchbox.BootloaderArgs("case=whatever");
        args[args.IndexOf("--grpcport") + 1] = front.Port.ToString();

        var outcome = await run.BootAsync(args);

        AssertFailed(outcome, 3, "XMB-204", $"cannot reach matchbox gRPC at 127.0.0.1:{front.Port}: it closed the connection right after the TLS handshake");
        Assert.Equal(3, front.Handshakes);
        Assert.Equal(0, front.Refusals);
    }

    [Fact]
    public async Task A_server_certificate_that_does_not_name_the_server_is_refused()
    {
        await using var misnamed = await MatchboxTestServer.StartAsync(new MatchboxTestServerOptions { ServerNames = ["matchbox.invalid"] });
        var files = misnamed.CertificateFiles!;
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(
        [
            "--server", "127.0.0.1", "--grpcport", misnamed.GrpcPort.ToString(),
            "--ca", files.CaFile, "--cert", files.ClientCertFile, "--key", files.ClientKeyFile, "--lookup", "case=x",
        ]);

        AssertFailed(outcome, 3, "XMB-206", "does not name that host");
    }

    [Fact]
    public async Task A_key_that_does_not_belong_to_the_certificate_is_named()
    {
        var outcome = await BootWithUnrelatedPki(("--key", files => files.ClientKeyFile));

        AssertFailed(outcome, 3, "XMB-209", "do not belong together");
    }

    [Fact]
    public async Task A_missing_certificate_file_is_named()
    {
        using var run = new LibxlRun();
        var args = matchbox.BootloaderArgs("case=whatever");
        args[args.IndexOf("--cert") + 1] = "/nonexistent/client.crt";

        var outcome = await run.BootAsync(args);

        AssertFailed(outcome, 3, "XMB-208", "/nonexistent/client.crt");
    }

    [Fact]
    public async Task A_server_that_is_down_is_reported_as_unreachable()
    {
        // A port that was free a moment ago: nothing listens on it.
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        using var run = new LibxlRun();
        var args = matchbox.BootloaderArgs("case=whatever");
        args[args.IndexOf("--grpcport") + 1] = port.ToString();

        var outcome = await run.BootAsync(args);

        AssertFailed(outcome, 3, "XMB-204", $"cannot reach matchbox gRPC at 127.0.0.1:{port}");
    }

    [Fact]
    public async Task A_missing_output_directory_fails_before_any_lookup()
    {
        using var run = new LibxlRun();
        Directory.Delete(run.OutputDirectory);

        var outcome = await run.BootAsync(matchbox.BootloaderArgs("case=whatever"));

        AssertFailed(outcome, 6, "XMB-504", run.OutputDirectory);
    }

    [Fact]
    public async Task A_missing_output_file_fails_before_any_lookup()
    {
        using var run = new LibxlRun();
        File.Delete(run.OutputPath);

        var outcome = await run.BootAsync(matchbox.BootloaderArgs("case=whatever"));

        AssertFailed(outcome, 6, "XMB-503", run.OutputPath);
        Assert.False(File.Exists(run.OutputPath), "the output file must be opened, never created");
    }

    [Fact]
    public async Task A_malformed_lookup_is_refused_with_its_text()
    {
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(matchbox.BootloaderArgs("mac"));

        AssertFailed(outcome, 2, "XMB-110", "--lookup 'mac' is not a label: it has no '='");
    }
}
