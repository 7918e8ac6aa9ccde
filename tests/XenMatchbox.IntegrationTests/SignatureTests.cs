using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using XenMatchbox.TestServer;
using static XenMatchbox.IntegrationTests.FailureTests;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// --lookup-key and --verify-assets=required against keys and signatures GnuPG made: a lookup
/// answer or an asset the operator's keys do not vouch for is never booted, with its own XMB-70x
/// code, exit status 8 and nothing left in libxl's directory.
/// </summary>
public sealed class SignatureTests : IClassFixture<GnuPgKeys>, IAsyncLifetime
{
    private readonly GnuPgKeys keys;
    private readonly string assets = Directory.CreateTempSubdirectory("xmb-signed-").FullName;
    private readonly byte[] kernel = RandomNumberGenerator.GetBytes(300_000);
    private readonly byte[] initrd = RandomNumberGenerator.GetBytes(200_000);
    private MatchboxTestServer matchbox = null!;

    public SignatureTests(GnuPgKeys keys) => this.keys = keys;

    private string KernelFile => Path.Combine(assets, "vmlinuz");
    private string InitrdFile => Path.Combine(assets, "initrd.img");

    public async Task InitializeAsync()
    {
        await File.WriteAllBytesAsync(KernelFile, kernel);
        await File.WriteAllBytesAsync(InitrdFile, initrd);
        keys.SignFile("good", KernelFile);
        keys.SignFile("good", InitrdFile, armour: true);
        matchbox = await MatchboxTestServer.StartAsync(new MatchboxTestServerOptions
        {
            AssetsPath = assets,
            GrpcEndPoint = null,
            IpxeSigner = keys.Signer("good"),
        });
        matchbox.Store = new FixedStore(
            [new MatchboxGroup { Id = "signed", Profile = "signed", Selector = MatchboxFixture.Case("signed") }],
            [new MatchboxProfile
            {
                Id = "signed",
                Boot = new MatchboxBoot { Kernel = "/assets/vmlinuz", Initrd = ["--name main /assets/initrd.img"], Args = ["console=hvc0", "xmb.uuid=${uuid}"] },
            }]);
    }

    /// <summary>HTTP-only bootloader_args, with <paramref name="more"/> added.</summary>
    private List<string> Args(params string[] more) =>
        ["--server", "127.0.0.1", "--httpport", matchbox.HttpEndPoint.Port.ToString(), "--lookup", "case=signed", "--lookup", "uuid=0f3c5a52-8d2e-4c41-9a7b-1e6d2c9f4b10", .. more];

    private List<string> Verified(params string[] more) =>
        Args(["--lookup-key", keys.Export("good"), "--verify-assets=required", "--asset-key", keys.Export("good", armour: true), .. more]);

    [Fact]
    public async Task A_signed_lookup_and_signed_assets_boot_and_say_which_key_verified_them()
    {
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(Verified());

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.True(kernel.AsSpan().SequenceEqual(File.ReadAllBytes(outcome.Result.Kernel!)));
        Assert.True(initrd.AsSpan().SequenceEqual(File.ReadAllBytes(outcome.Result.Ramdisk!)));
        var id = keys.KeyId("good");
        Assert.Contains($"profile /ipxe?case=signed&uuid=0f3c5a52-8d2e-4c41-9a7b-1e6d2c9f4b10 matches case=signed uuid=0f3c5a52-8d2e-4c41-9a7b-1e6d2c9f4b10, verified ({id})", outcome.Stderr);
        Assert.Contains($"xenmatchbox: kernel 293 KiB", outcome.Stderr);
        Assert.Matches($"xenmatchbox: kernel .*, verified \\({id}\\)", outcome.Stderr);
        Assert.Matches($"xenmatchbox: ramdisk .*, verified \\({id}\\)", outcome.Stderr);
        Assert.Equal(1, matchbox.Counters.Requests("/ipxe.sig"));
    }

    [Fact]
    public async Task An_unsigned_lookup_answer_is_never_used()
    {
        matchbox.IpxeSigner = null;
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(Args("--lookup-key", keys.Export("good")));

        AssertFailed(outcome, 8, "XMB-703", "/ipxe.sig?case=signed&uuid=0f3c5a52-8d2e-4c41-9a7b-1e6d2c9f4b10 answered HTTP 404");
        Assert.Equal(0, matchbox.Counters.Requests("/assets/vmlinuz"));
    }

    [Theory]
    [InlineData("other", "XMB-705")]
    [InlineData("expired", "XMB-707")]
    [InlineData("revoked", "XMB-708")]
    public async Task A_lookup_signed_by_a_key_that_does_not_vouch_is_refused(string signer, string code)
    {
        matchbox.IpxeSigner = keys.Signer(signer);
        using var run = new LibxlRun();

        // The operator's file holds every key but "other": the expired and the revoked one are known, and refused.
        var outcome = await run.BootAsync(Args("--lookup-key", keys.Export("good"), "--lookup-key", keys.Export("expired"), "--lookup-key", keys.Export("revoked")));

        AssertFailed(outcome, 8, code, keys.KeyId(signer));
        Assert.Equal(0, matchbox.Counters.Requests("/assets/vmlinuz"));
    }

    [Fact]
    public async Task A_lookup_signed_by_a_signing_subkey_and_armoured_keys_verify()
    {
        matchbox.IpxeSigner = keys.Signer("subkey");
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(Args("--lookup-key", keys.Export("subkey", armour: true)));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains($"verified ({keys.KeyId("subkey")})", outcome.Stderr);
    }

    /// <summary>
    /// matchbox signs each answer as it renders it, so a signature's date is its answer's age: an
    /// answer signed 30 minutes ago by the very key the operator gave is an old answer replayed
    /// (XMB-712), refused before any asset is asked for.
    /// </summary>
    [Fact]
    public async Task A_lookup_answer_signed_30_minutes_ago_is_refused_as_replayed()
    {
        matchbox.IpxeSigner = keys.Signer("good", signedAgo: TimeSpan.FromMinutes(30));
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(Args("--lookup-key", keys.Export("good")));

        AssertFailed(outcome, 8, "XMB-712", "beyond --lookup-max-age 300 s");
        Assert.Matches($"the lookup answer {matchbox.HttpBaseUrl}/ipxe\\?case=signed&uuid=0f3c5a52-8d2e-4c41-9a7b-1e6d2c9f4b10 was signed by key {keys.KeyId("good")} \\(xmb good <good@xmb\\.test>\\) 18\\d\\d s before dom0's clock", outcome.ErrorLine);
        Assert.Contains("check dom0's and matchbox's clocks", outcome.ErrorLine);
        Assert.Equal(1, matchbox.Counters.Requests("/ipxe.sig"));
        Assert.Equal(0, matchbox.Counters.Requests("/assets/vmlinuz"));
    }

    /// <summary>--lookup-max-age raised to an hour, where the operator sets it: the same answer boots.</summary>
    [Theory]
    [InlineData("the command line")]
    [InlineData("the configuration file")]
    [InlineData("the environment")]
    public async Task A_lookup_answer_signed_30_minutes_ago_boots_under_a_max_age_of_an_hour(string place)
    {
        matchbox.IpxeSigner = keys.Signer("good", signedAgo: TimeSpan.FromMinutes(30));
        using var run = new LibxlRun();
        var args = Args("--lookup-key", keys.Export("good"));
        var environment = new Dictionary<string, string>();
        switch (place)
        {
            case "the command line":
                args.AddRange(["--lookup-max-age", "3600"]);
                break;
            case "the configuration file":
                var conf = Path.Combine(run.XenLibDir, "xenmatchbox.conf");
                await File.WriteAllTextAsync(conf, "lookup-max-age = 3600\n");
                environment["XENMATCHBOX_CONFIG"] = conf;
                break;
            default:
                environment["XENMATCHBOX_LOOKUP_MAX_AGE"] = "3600";
                break;
        }

        var outcome = await run.RunAsync([.. run.LibxlFlags(), .. args, run.DiskPath], environment: environment);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains($"verified ({keys.KeyId("good")})", outcome.Stderr);
        Assert.True(kernel.AsSpan().SequenceEqual(File.ReadAllBytes(outcome.Result.Kernel!)));
    }

    /// <summary>The body /ipxe sends for the test's labels.</summary>
    private async Task<byte[]> IpxeBodyAsync()
    {
        using var client = new HttpClient();
        return await client.GetByteArrayAsync($"{matchbox.HttpBaseUrl}/ipxe?case=signed&uuid=0f3c5a52-8d2e-4c41-9a7b-1e6d2c9f4b10");
    }

    /// <summary>
    /// Signatures served in place of the server's own: text mode covers the body whatever its line
    /// endings (CRLF or LF, as canonical text says); binary mode covers the very bytes; one flipped
    /// byte in the body signed or in the signature fails.
    /// </summary>
    [Theory]
    [InlineData("text over the CRLF body", true, null)]
    [InlineData("binary over the LF body", true, null)]
    [InlineData("binary over the CRLF body", false, "XMB-706")]
    [InlineData("text over a body with one byte flipped", false, "XMB-706")]
    [InlineData("text with one byte of its signature flipped", false, "XMB-706")]
    public async Task A_lookup_signature_covers_exactly_the_body_received(string kind, bool boots, string? code)
    {
        var body = await IpxeBodyAsync();
        var crlf = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body).Replace("\n", "\r\n", StringComparison.Ordinal));
        var flipped = (byte[])body.Clone();
        flipped[10] ^= 0x01;
        var signature = kind switch
        {
            "text over the CRLF body" => keys.Sign("good", crlf, text: true),
            "binary over the LF body" => keys.Sign("good", body),
            "binary over the CRLF body" => keys.Sign("good", crlf),
            "text over a body with one byte flipped" => keys.Sign("good", flipped, text: true),
            _ => keys.Sign("good", body, text: true),
        };
        if (kind.Contains("signature flipped", StringComparison.Ordinal))
        {
            // A byte of the signature's MPI (its last bytes): still a packet, no longer the signature.
            signature[^5] ^= 0x01;
        }
        matchbox.Faults.Set("/ipxe.sig", AssetFault.Body(signature));
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(Args("--lookup-key", keys.Export("good")));

        if (boots)
        {
            Assert.True(outcome.ExitCode == 0, outcome.ToString());
        }
        else
        {
            AssertFailed(outcome, 8, code!, "/ipxe");
        }
    }

    [Fact]
    public async Task A_tampered_initrd_is_refused_and_nothing_is_left_behind()
    {
        var tampered = (byte[])initrd.Clone();
        tampered[123_456] ^= 0x40;
        await File.WriteAllBytesAsync(InitrdFile, tampered);
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(Verified());

        AssertFailed(outcome, 8, "XMB-706", $"the ramdisk {matchbox.HttpBaseUrl}/assets/initrd.img does not match its signature by key {keys.KeyId("good")} (xmb good <good@xmb.test>)");
        // Nor is the cache: a refused download is not stored for the next boot.
        Assert.DoesNotContain(Directory.GetFiles(run.CacheDirectory), path => File.ReadAllBytes(path).AsSpan().SequenceEqual(tampered));
    }

    /// <summary>
    /// Every kind of signature a distribution or an operator may publish checks the very bytes:
    /// binary with each digest (SHA-256 is Fedora's), text mode, EdDSA; one flipped bit fails each.
    /// </summary>
    [Theory]
    [InlineData("good", false, "SHA256")]
    [InlineData("good", false, "SHA384")]
    [InlineData("good", false, "SHA512")]
    [InlineData("good", true, null)]
    [InlineData("ed25519", false, null)]
    public async Task An_asset_signature_of_any_kind_verifies_the_bytes_and_only_them(string signer, bool text, string? digest)
    {
        // Text mode signs text (its line ends count as CRLF); a kernel signed so is a text file here.
        var document = text ? Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 5000).Select(i => $"line {i}\n"))) : kernel;
        await File.WriteAllBytesAsync(KernelFile, document);
        await File.WriteAllBytesAsync(KernelFile + ".sig", keys.Sign(signer, document, text: text, digest: digest));
        List<string> args = [.. Args("--verify-assets=required", "--asset-key", keys.Export("good"), "--asset-key", keys.Export("ed25519"))];
        using (var run = new LibxlRun())
        {
            var outcome = await run.BootAsync([.. args, "--no-cache"]);
            Assert.True(outcome.ExitCode == 0, outcome.ToString());
            Assert.Matches($"xenmatchbox: kernel .*, verified \\({keys.KeyId(signer)}\\)", outcome.Stderr);
        }
        var tampered = (byte[])document.Clone();
        tampered[^2] ^= 0x01;
        await File.WriteAllBytesAsync(KernelFile, tampered);
        using (var run = new LibxlRun())
        {
            var outcome = await run.BootAsync([.. args, "--no-cache"]);
            AssertFailed(outcome, 8, "XMB-706", "the kernel");
        }
    }

    [Fact]
    public async Task An_asset_signature_made_with_SHA1_is_refused()
    {
        await File.WriteAllBytesAsync(KernelFile + ".sig", keys.Sign("good", kernel, digest: "SHA1"));
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(Verified());

        AssertFailed(outcome, 8, "XMB-704", "it is made with SHA-1");
    }

    [Fact]
    public async Task An_asset_without_its_signature_is_refused()
    {
        File.Delete(KernelFile + ".sig");
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(Verified());

        AssertFailed(outcome, 8, "XMB-703", $"{matchbox.HttpBaseUrl}/assets/vmlinuz.sig answered HTTP 404");
    }

    [Fact]
    public async Task An_asset_signed_by_a_key_not_given_is_refused()
    {
        keys.SignFile("other", KernelFile);
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(Verified());

        AssertFailed(outcome, 8, "XMB-705", $"is signed by key {keys.KeyId("other")}, which no --asset-key file holds");
    }

    [Fact]
    public async Task An_asset_signature_that_is_not_OpenPGP_is_refused()
    {
        await File.WriteAllTextAsync(KernelFile + ".sig", "<html>not found</html>\n");
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(Verified());

        AssertFailed(outcome, 8, "XMB-704", "vmlinuz.sig, the signature of the kernel");
    }

    [Theory]
    [InlineData("a secret key", "XMB-702")]
    [InlineData("a PEM certificate", "XMB-702")]
    [InlineData("a missing file", "XMB-701")]
    public async Task A_key_file_that_holds_no_public_key_is_refused_before_the_network(string kind, string code)
    {
        var file = Path.Combine(assets, "key-file");
        switch (kind)
        {
            case "a secret key":
                await File.WriteAllTextAsync(file, "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQ==\n=AAAA\n-----END PGP PRIVATE KEY BLOCK-----\n");
                break;
            case "a PEM certificate":
                File.Copy(matchboxCaOrAnyPem(), file);
                break;
        }
        using var run = new LibxlRun();
        var before = matchbox.Counters.TotalRequests;

        var outcome = await run.BootAsync(Args("--lookup-key", file));

        AssertFailed(outcome, 8, code, $"--lookup-key {file}");
        Assert.Equal(before, matchbox.Counters.TotalRequests);
    }

    private string matchboxCaOrAnyPem()
    {
        var pem = Path.Combine(assets, "some.pem");
        File.WriteAllText(pem, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
        return pem;
    }

    [Fact]
    public async Task A_cached_asset_is_booted_only_when_the_signature_served_now_verified_it()
    {
        // One cache for several boots, each in a directory of its own (libxl empties it after each).
        using var owner = new LibxlRun();
        var cache = $"--cache-dir={owner.CacheDirectory}";
        async Task<BootOutcome> BootAsync(List<string> args)
        {
            using var run = new LibxlRun();
            return await run.BootAsync(args);
        }

        // Cached without verification, then verified once (a GET), then reused (no body).
        Assert.Equal(0, (await BootAsync(Args(cache))).ExitCode);
        var gets = matchbox.Counters.BodyBytes("/assets/vmlinuz");
        var first = await BootAsync(Verified(cache));
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(gets + kernel.Length, matchbox.Counters.BodyBytes("/assets/vmlinuz"));
        var second = await BootAsync(Verified(cache));
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(gets + kernel.Length, matchbox.Counters.BodyBytes("/assets/vmlinuz"));

        // The server now signs other bytes under the same name: the cached kernel is not vouched for.
        var other = RandomNumberGenerator.GetBytes(kernel.Length);
        await File.WriteAllBytesAsync(KernelFile + ".sig", keys.Sign("good", other));
        var third = await BootAsync(Verified(cache));

        AssertFailed(third, 8, "XMB-706", "the kernel");
    }

    [RootFact]
    public async Task A_restricted_boot_reads_root_only_key_files_before_the_drop_and_verifies_after_it()
    {
        using var run = new LibxlRun();
        string RootOnly(string file)
        {
            var copy = Path.Combine(run.XenLibDir, Path.GetFileName(file));
            File.Copy(file, copy);
            File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            return copy;
        }
        var args = Args("--lookup-key", RootOnly(keys.Export("good")), "--verify-assets=required", "--asset-key", RootOnly(keys.Export("good", armour: true)));

        var outcome = await run.RunAsync(["--runas=65534", "--quiet", .. run.LibxlFlags(), .. args, run.DiskPath]);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Equal("", outcome.Stderr);
        Assert.True(initrd.AsSpan().SequenceEqual(File.ReadAllBytes(outcome.Result.Ramdisk!)));
        Assert.Equal(1, matchbox.Counters.Requests("/ipxe.sig"));
        Assert.Equal(1, matchbox.Counters.Requests("/assets/initrd.img.sig"));
    }

    [Fact]
    public async Task Show_names_the_signing_key_of_the_lookup_and_of_each_asset_or_why_a_boot_would_refuse_it()
    {
        File.Delete(InitrdFile + ".sig");
        using var run = new LibxlRun();

        var outcome = await run.RunAsync(["show", .. Verified()]);

        var id = keys.KeyId("good");
        Assert.Contains($"          verified: key {id} (xmb good <good@xmb.test>), fingerprint ", outcome.Stdout);
        Assert.Contains($"          {matchbox.HttpBaseUrl}/assets/vmlinuz.sig: key {id} (xmb good <good@xmb.test>), fingerprint ", outcome.Stdout);
        Assert.Contains($"          {matchbox.HttpBaseUrl}/assets/initrd.img.sig: a boot would refuse it: XMB-703: ", outcome.Stdout);
        Assert.Contains("verdict:  a boot would fail: XMB-703: ", outcome.Stdout);
        Assert.Equal(8, outcome.ExitCode);
        Assert.Equal(0, matchbox.Counters.BodyBytes("/assets/vmlinuz"));
    }

    [Fact]
    public async Task Show_json_names_the_keys_that_signed_and_the_signature_a_boot_would_refuse()
    {
        File.Delete(InitrdFile + ".sig");
        using var run = new LibxlRun();

        var outcome = await run.RunAsync(["show", .. Verified(), "--json"]);

        Assert.True(outcome.ExitCode == 8, outcome.ToString());
        Assert.StartsWith("xenmatchbox: XMB-703: ", outcome.ErrorLine);
        using var report = JsonDocument.Parse(outcome.Stdout);
        var root = report.RootElement;
        var id = keys.KeyId("good");
        var lookup = root.GetProperty("lookup");
        Assert.Equal("HTTP", lookup.GetProperty("protocol").GetString());
        Assert.Equal(id, lookup.GetProperty("signer").GetProperty("keyId").GetString());
        Assert.Equal("xmb good <good@xmb.test>", lookup.GetProperty("signer").GetProperty("userId").GetString());
        Assert.Matches("^[0-9A-F]{40}$", lookup.GetProperty("signer").GetProperty("fingerprint").GetString());
        var kernelSignature = root.GetProperty("assets")[0].GetProperty("signature");
        Assert.Equal("vouched", kernelSignature.GetProperty("status").GetString());
        Assert.Equal($"{matchbox.HttpBaseUrl}/assets/vmlinuz.sig", kernelSignature.GetProperty("url").GetString());
        Assert.Equal(id, kernelSignature.GetProperty("signer").GetProperty("keyId").GetString());
        Assert.Equal("binary", kernelSignature.GetProperty("signer").GetProperty("mode").GetString());
        var initrdSignature = root.GetProperty("assets")[1].GetProperty("signature");
        Assert.Equal("refused", initrdSignature.GetProperty("status").GetString());
        Assert.Equal($"{matchbox.HttpBaseUrl}/assets/initrd.img.sig", initrdSignature.GetProperty("url").GetString());
        Assert.Equal("XMB-703", initrdSignature.GetProperty("code").GetString());
        Assert.Equal(8, initrdSignature.GetProperty("exitStatus").GetInt32());
        var verdict = root.GetProperty("verdict");
        Assert.False(verdict.GetProperty("ok").GetBoolean());
        Assert.Equal("XMB-703", verdict.GetProperty("code").GetString());
        Assert.Equal(0, matchbox.Counters.BodyBytes("/assets/vmlinuz"));
    }

    /// <summary>
    /// show prints how old the signed answer is against --lookup-max-age (text and JSON); an answer
    /// older than the limit is refused before there is a report, as a boot refuses it.
    /// </summary>
    [Fact]
    public async Task Show_prints_the_lookup_signature_age_against_the_limit()
    {
        matchbox.IpxeSigner = keys.Signer("good", signedAgo: TimeSpan.FromMinutes(30));
        using var run = new LibxlRun();
        var args = Args("--lookup-key", keys.Export("good"));

        var text = await run.RunAsync(["show", .. args, "--lookup-max-age=3600"]);
        var json = await run.RunAsync(["show", .. args, "--lookup-max-age=3600", "--json"]);
        var refused = await run.RunAsync(["show", .. args]);

        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Matches(@"\n          signed:   18\d\d s before dom0's clock \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\), within --lookup-max-age 3600 s\n", text.Stdout);
        Assert.True(json.ExitCode == 0, json.ToString());
        using var report = JsonDocument.Parse(json.Stdout);
        var age = report.RootElement.GetProperty("lookup").GetProperty("age");
        Assert.InRange(age.GetProperty("seconds").GetInt64(), 1800, 1899);
        Assert.Equal(3600, age.GetProperty("maxSeconds").GetInt32());
        var signedAt = DateTimeOffset.Parse(age.GetProperty("signedAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(signedAt, DateTimeOffset.UtcNow.AddMinutes(-32), DateTimeOffset.UtcNow.AddMinutes(-29));
        Assert.Equal(8, refused.ExitCode);
        Assert.StartsWith("xenmatchbox: XMB-712: ", refused.ErrorLine);
        Assert.Equal("", refused.Stdout);
    }

    public async Task DisposeAsync()
    {
        await matchbox.DisposeAsync();
        Directory.Delete(assets, recursive: true);
    }
}
