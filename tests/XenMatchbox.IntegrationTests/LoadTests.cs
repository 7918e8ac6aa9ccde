using System.Diagnostics;
using XenMatchbox.TestServer;
using Xunit.Abstractions;

namespace XenMatchbox.IntegrationTests;

/// <summary>A rack of domUs rebooting together: many bootloaders against one matchbox at once.</summary>
[Collection(MatchboxCollection.Name)]
public sealed class LoadTests(MatchboxFixture matchbox, ITestOutputHelper output)
{
    [Fact]
    public async Task Thirty_two_concurrent_boots_all_succeed_with_the_right_bytes()
    {
        matchbox.AddScenario("load", new MatchboxBoot
        {
            Kernel = "/assets/os/vmlinuz",
            Initrd = ["/assets/os/initrd-a.img", "/assets/os/initrd-b.img"],
            Args = ["xmb.mac=${mac:hexhyp}"],
        }, new Dictionary<string, string> { ["case"] = "load" });
        var runs = Enumerable.Range(0, 32).Select(_ => new LibxlRun()).ToList();
        var clock = Stopwatch.StartNew();
        try
        {
            var outcomes = await Task.WhenAll(runs.Select((run, i) =>
                run.BootAsync(matchbox.BootloaderArgs("case=load", $"mac=52:54:00:00:01:{i:x2}"))));
            clock.Stop();
            output.WriteLine($"32 concurrent boots: {clock.Elapsed.TotalSeconds:F2} s wall");

            byte[] ramdisk = [.. matchbox.InitrdA, .. matchbox.InitrdB];
            for (var i = 0; i < outcomes.Length; i++)
            {
                var outcome = outcomes[i];
                Assert.True(outcome.ExitCode == 0, $"boot {i}: {outcome}");
                Assert.Equal($"xmb.mac=52-54-00-00-01-{i:x2}", outcome.Result.Args);
                Assert.True(matchbox.Kernel.AsSpan().SequenceEqual(File.ReadAllBytes(outcome.Result.Kernel!)), $"boot {i}: kernel");
                Assert.True(ramdisk.AsSpan().SequenceEqual(File.ReadAllBytes(outcome.Result.Ramdisk!)), $"boot {i}: ramdisk");
            }
        }
        finally
        {
            runs.ForEach(run => run.Dispose());
        }
    }
}
