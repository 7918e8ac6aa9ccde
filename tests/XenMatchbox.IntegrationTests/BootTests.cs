using XenMatchbox.TestServer;

namespace XenMatchbox.IntegrationTests;

/// <summary>Boots that succeed: what libxl reads, and the bytes of the files it maps.</summary>
[Collection(MatchboxCollection.Name)]
public sealed class BootTests(MatchboxFixture matchbox)
{
    private static Dictionary<string, string> Case(string name, string? mac = null) =>
        mac is null ? new() { ["case"] = name } : new() { ["case"] = name, ["mac"] = mac };

    private static void AssertFile(byte[] expected, string path)
    {
        Assert.True(File.Exists(path), $"{path} is missing");
        Assert.True(expected.AsSpan().SequenceEqual(File.ReadAllBytes(path)), $"{path} differs from what the server holds");
    }

    private static void AssertSucceeded(BootOutcome outcome)
    {
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Empty(outcome.Result.Ignored);
    }

    [Fact]
    public async Task An_upper_case_dashed_MAC_matches_the_group_that_selects_its_canonical_form()
    {
        matchbox.AddScenario("dashed-mac", new MatchboxBoot
        {
            Kernel = "/assets/os/vmlinuz",
            Initrd = ["/assets/os/initrd-a.img"],
            Args = ["console=hvc0"],
        }, Case("dashed-mac", MatchboxFixture.Mac));
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(matchbox.BootloaderArgs("case=dashed-mac", "MAC=52-54-00-AA-BB-CC"));

        AssertSucceeded(outcome);
        Assert.Equal(Path.Combine(run.OutputDirectory, "kernel"), outcome.Result.Kernel);
        Assert.Equal(Path.Combine(run.OutputDirectory, "ramdisk"), outcome.Result.Ramdisk);
        Assert.Equal("console=hvc0", outcome.Result.Args);
        AssertFile(matchbox.Kernel, outcome.Result.Kernel!);
        AssertFile(matchbox.InitrdA, outcome.Result.Ramdisk!);
        Assert.Equal(["kernel", "ramdisk"], outcome.DirectoryEntries);
    }

    [Fact]
    public async Task A_boot_says_its_version_first_and_under_quiet_nothing()
    {
        matchbox.AddScenario("version-line", new MatchboxBoot { Kernel = "/assets/os/vmlinuz" }, Case("version-line", MatchboxFixture.Mac));
        using var run = new LibxlRun();
        var outcome = await run.BootAsync(matchbox.BootloaderArgs("case=version-line", $"mac={MatchboxFixture.Mac}"));
        AssertSucceeded(outcome);
        Assert.Equal($"xenmatchbox: version {Release.Version} ({Release.Commit})", outcome.Stderr.Split('\n')[0]);

        using var quiet = new LibxlRun();
        var quietOutcome = await quiet.BootAsync([.. matchbox.BootloaderArgs("case=version-line", $"mac={MatchboxFixture.Mac}"), "--quiet"]);
        AssertSucceeded(quietOutcome);
        Assert.Equal("", quietOutcome.Stderr);
    }

    [Fact]
    public async Task A_Cisco_dotted_MAC_is_sent_in_canonical_form()
    {
        matchbox.AddScenario("cisco-mac", new MatchboxBoot { Kernel = "/assets/os/vmlinuz" }, Case("cisco-mac", MatchboxFixture.Mac));
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(matchbox.BootloaderArgs("case=cisco-mac", "mac=5254.00AA.BBCC"));

        AssertSucceeded(outcome);
        AssertFile(matchbox.Kernel, outcome.Result.Kernel!);
    }

    [Fact]
    public async Task Two_initrds_are_concatenated_in_profile_order_into_one_ramdisk()
    {
        matchbox.AddScenario("two-initrds", new MatchboxBoot
        {
            Kernel = "/assets/os/vmlinuz",
            Initrd = ["/assets/os/initrd-b.img", "/assets/os/initrd-a.img"],
        }, Case("two-initrds"));
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(matchbox.BootloaderArgs("case=two-initrds"));

        AssertSucceeded(outcome);
        AssertFile([.. matchbox.InitrdB, .. matchbox.InitrdA], outcome.Result.Ramdisk!);
    }

    [Fact]
    public async Task Absolute_asset_URLs_are_fetched_as_they_are()
    {
        var baseUrl = matchbox.Server.HttpBaseUrl;
        matchbox.AddScenario("absolute-url", new MatchboxBoot
        {
            Kernel = $"{baseUrl}/assets/os/vmlinuz",
            Initrd = [$"{baseUrl}/assets/os/initrd-a.img"],
        }, Case("absolute-url"));
        using var run = new LibxlRun();

        // The HTTP port flag points nowhere: only the absolute URLs can work.
        var args = matchbox.BootloaderArgs("case=absolute-url");
        args[args.IndexOf("--httpport") + 1] = "1";
        var outcome = await run.BootAsync(args);

        AssertSucceeded(outcome);
        AssertFile(matchbox.Kernel, outcome.Result.Kernel!);
        AssertFile(matchbox.InitrdA, outcome.Result.Ramdisk!);
    }

    [Fact]
    public async Task The_iPXE_name_option_in_front_of_an_initrd_is_dropped()
    {
        matchbox.AddScenario("name-main", new MatchboxBoot
        {
            Kernel = "/assets/os/vmlinuz",
            Initrd = ["--name main /assets/os/initrd-a.img"],
            Args = ["initrd=main"],
        }, Case("name-main"));
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(matchbox.BootloaderArgs("case=name-main"));

        AssertSucceeded(outcome);
        AssertFile(matchbox.InitrdA, outcome.Result.Ramdisk!);
        Assert.Equal("initrd=main", outcome.Result.Args);
    }

    [Fact]
    public async Task Both_variable_styles_expand_from_the_labels_and_libxl_args_come_last()
    {
        matchbox.AddScenario("variables", new MatchboxBoot
        {
            Kernel = "/assets/os/vmlinuz",
            Args =
            [
                "xmb.hyp=${mac:hexhyp}",
                "xmb.raw=${mac:hexraw}",
                "xmb.mac={{ .mac }}",
                "xmb.case={{.case}}",
                "ignition.config.url=http://mb:8080/ignition?mac=${mac:hexhyp}&os=${os}",
            ],
        }, Case("variables", MatchboxFixture.Mac));
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(
            matchbox.BootloaderArgs("case=variables", "mac=52-54-00-aa-bb-cc", "os=installed"), configArgs: "console=hvc0 root=/dev/xvda");

        AssertSucceeded(outcome);
        Assert.Equal(
            "xmb.hyp=52-54-00-aa-bb-cc xmb.raw=525400aabbcc xmb.mac=52:54:00:aa:bb:cc xmb.case=variables "
            + "ignition.config.url=http://mb:8080/ignition?mac=52-54-00-aa-bb-cc&os=installed console=hvc0 root=/dev/xvda",
            outcome.Result.Args);
    }

    [Fact]
    public async Task A_profile_without_initrd_gives_no_ramdisk_item_and_no_ramdisk_file()
    {
        matchbox.AddScenario("no-initrd", new MatchboxBoot { Kernel = "/assets/os/vmlinuz", Args = ["quiet"] }, Case("no-initrd"));
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(matchbox.BootloaderArgs("case=no-initrd"));

        AssertSucceeded(outcome);
        Assert.Null(outcome.Result.Ramdisk);
        Assert.Equal(["kernel"], outcome.DirectoryEntries);
    }

    [Fact]
    public async Task A_profile_without_args_gives_no_args_item()
    {
        matchbox.AddScenario("no-args", new MatchboxBoot { Kernel = "/assets/os/vmlinuz", Initrd = ["/assets/os/initrd-b.img"] }, Case("no-args"));
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(matchbox.BootloaderArgs("case=no-args"));

        AssertSucceeded(outcome);
        Assert.Null(outcome.Result.Args);
        var expected = $"kernel {run.OutputDirectory}/kernel\0ramdisk {run.OutputDirectory}/ramdisk\0\0";
        Assert.Equal(expected, System.Text.Encoding.UTF8.GetString(outcome.OutputFile));
    }

    [Fact]
    public async Task Without_output_the_result_goes_to_standard_output()
    {
        matchbox.AddScenario("stdout", new MatchboxBoot { Kernel = "/assets/os/vmlinuz", Args = ["a=b"] }, Case("stdout"));
        using var run = new LibxlRun();

        var outcome = await run.RunAsync(
            [$"--output-directory={run.OutputDirectory}", .. matchbox.BootloaderArgs("case=stdout"), run.DiskPath]);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Equal($"kernel {run.OutputDirectory}/kernel\0args a=b\0\0", outcome.Stdout);
    }

    [Fact]
    public async Task The_sxp_format_quotes_values_as_pygrub_does()
    {
        matchbox.AddScenario("sxp", new MatchboxBoot { Kernel = "/assets/os/vmlinuz", Args = ["msg='hi'"] }, Case("sxp"));
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(matchbox.BootloaderArgs("case=sxp"), format: "sxp");

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Equal($"linux (kernel '{run.OutputDirectory}/kernel')(args \"msg='hi'\")", System.Text.Encoding.UTF8.GetString(outcome.OutputFile));
    }
}
