using System.Net;
using System.Security.Cryptography;
using Grpc.Core;
using XenMatchbox.TestServer;
using static XenMatchbox.IntegrationTests.FailureTests;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// Several matchbox servers (--server [::1],127.0.0.1): the first down, hung, answering 503 or
/// Unavailable, and the boot comes from the second, with its assets; all down is one line naming
/// each; "no matching group" from the first is an answer and ends the lookup; four hung servers
/// in front of a good fifth leave it time to answer within the deadline. Both lookup routes.
/// The servers share their ports, so they differ by address: ::1 first, then 127.0.0.1 (and
/// 127.0.0.2 to 127.0.0.5 for the hung four).
/// </summary>
public sealed class FailoverTests : IAsyncLifetime
{
    private const string First = "[::1]";
    private static readonly IPAddress FirstAddress = IPAddress.IPv6Loopback;

    private readonly string assets = Directory.CreateTempSubdirectory("xmb-failover-").FullName;
    private readonly byte[] kernel = RandomNumberGenerator.GetBytes(200_000);
    private MatchboxTestServer answering = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllBytesAsync(Path.Combine(assets, "vmlinuz"), kernel);
        answering = await MatchboxTestServer.StartAsync(new MatchboxTestServerOptions
        {
            AssetsPath = assets,
            ServerNames = ["127.0.0.1", "::1", "localhost"],
            Store = new FixedStore(
                [new MatchboxGroup { Id = "fo", Profile = "fo", Selector = MatchboxFixture.Case("fo") }],
                // A relative path: it must resolve against the server that answered.
                [new MatchboxProfile { Id = "fo", Boot = new MatchboxBoot { Kernel = "/assets/vmlinuz", Args = ["console=hvc0"] } }]),
        });
    }

    /// <summary>bootloader_args for the route, the servers as given, short timeouts (or <paramref name="timeouts"/>).</summary>
    private List<string> Args(bool grpc, string? servers = "[::1],127.0.0.1", int? httpPort = null, int? grpcPort = null, string[]? timeouts = null)
    {
        List<string> args = servers is null ? [] : ["--server", servers];
        args.AddRange(["--httpport", (httpPort ?? answering.HttpPort).ToString(), "--lookup", "case=fo"]);
        args.AddRange(timeouts ?? ["--connect-timeout", "2", "--read-timeout", "2", "--timeout", "30"]);
        if (grpc)
        {
            var files = answering.CertificateFiles!;
            args.AddRange(["--grpcport", (grpcPort ?? answering.GrpcPort).ToString(),
                "--ca", files.CaFile, "--cert", files.ClientCertFile, "--key", files.ClientKeyFile]);
        }
        return args;
    }

    private string Server(bool grpc, string host) =>
        grpc ? $"{host}:{answering.GrpcPort}" : $"http://{host}:{answering.HttpPort}/ipxe";

    private static string LookupPath(bool grpc) => grpc ? "/rpcpb.Select/SelectProfile" : "/ipxe";

    /// <summary>A boot from the second server: its profile, its kernel, a line naming it and one naming the first's failure.</summary>
    private void AssertBootedFromSecond(BootOutcome outcome, bool grpc, string firstFailure)
    {
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.True(kernel.AsSpan().SequenceEqual(File.ReadAllBytes(outcome.Result.Kernel!)));
        Assert.Contains($"xenmatchbox: {Server(grpc, First)} failed ({firstFailure}", outcome.Stderr);
        Assert.Contains($"; asking {Server(grpc, "127.0.0.1")}\n", outcome.Stderr);
        Assert.Contains($"matches case=fo from {Server(grpc, "127.0.0.1")}\n", outcome.Stderr);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_first_server_down_boots_from_the_second_with_its_assets(bool grpc)
    {
        using var run = new LibxlRun();
        var assetsBefore = answering.Counters.Requests("/assets/vmlinuz");

        var outcome = await run.BootAsync(Args(grpc));

        AssertBootedFromSecond(outcome, grpc, "XMB-204 ");
        Assert.Equal(assetsBefore + 1, answering.Counters.Requests("/assets/vmlinuz"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_first_server_hung_costs_one_timeout_then_boots_from_the_second(bool grpc)
    {
        using var hung = new SilentListener(new IPEndPoint(FirstAddress, grpc ? answering.GrpcPort : answering.HttpPort));
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(Args(grpc));

        AssertBootedFromSecond(outcome, grpc, "XMB-210 ");
        // Asked once: a server that timed out is not asked again.
        Assert.Equal(1, hung.Connections);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Four_hung_servers_leave_the_fifth_its_turn_within_the_deadline(bool grpc)
    {
        // Each hung server would cost the default --connect-timeout (10 s, gRPC's handshake) or
        // --connect-timeout plus --read-timeout (40 s, HTTP) alone: more than the 12 s deadline.
        var port = grpc ? answering.GrpcPort : answering.HttpPort;
        var hung = Enumerable.Range(2, 4).Select(i => new SilentListener(new IPEndPoint(IPAddress.Parse($"127.0.0.{i}"), port))).ToList();
        try
        {
            using var run = new LibxlRun();
            var clock = System.Diagnostics.Stopwatch.StartNew();

            var outcome = await run.BootAsync(Args(grpc, "127.0.0.2,127.0.0.3,127.0.0.4,127.0.0.5,127.0.0.1", timeouts: ["--timeout", "12"]));

            Assert.True(outcome.ExitCode == 0, outcome.ToString());
            Assert.True(kernel.AsSpan().SequenceEqual(File.ReadAllBytes(outcome.Result.Kernel!)));
            Assert.Contains($"matches case=fo from {Server(grpc, "127.0.0.1")}\n", outcome.Stderr);
            for (var i = 2; i <= 5; i++)
            {
                Assert.Contains($"xenmatchbox: {Server(grpc, $"127.0.0.{i}")} failed (XMB-210 ", outcome.Stderr);
            }
            // Each asked once, and the whole within the deadline.
            Assert.All(hung, listener => Assert.Equal(1, listener.Connections));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(12), $"took {clock.Elapsed}");
        }
        finally
        {
            hung.ForEach(listener => listener.Dispose());
        }
    }

    [Fact]
    public async Task The_first_server_answering_503_boots_from_the_second()
    {
        await using var busy = await MatchboxTestServer.StartAsync(new MatchboxTestServerOptions
        {
            HttpEndPoint = new IPEndPoint(FirstAddress, answering.HttpPort),
            GrpcEndPoint = null,
        });
        busy.Faults.Set("/ipxe", AssetFault.Status(503));
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(Args(grpc: false));

        AssertBootedFromSecond(outcome, grpc: false, "XMB-203 HTTP 503");
        Assert.Equal(1, busy.Counters.Requests("/ipxe"));
    }

    [Fact]
    public async Task The_first_server_answering_Unavailable_boots_from_the_second()
    {
        await using var stopping = await MatchboxTestServer.StartAsync(new MatchboxTestServerOptions
        {
            HttpEndPoint = new IPEndPoint(FirstAddress, 0),
            GrpcEndPoint = new IPEndPoint(FirstAddress, answering.GrpcPort),
            Certificates = answering.Certificates,
        });
        stopping.SelectAnswer = new Status(StatusCode.Unavailable, "no healthy upstream");
        using var run = new LibxlRun();

        var outcome = await run.BootAsync(Args(grpc: true));

        AssertBootedFromSecond(outcome, grpc: true, "XMB-204 ");
        Assert.Contains("no healthy upstream", outcome.Stderr);
        Assert.Equal(1, stopping.Counters.Requests("/rpcpb.Select/SelectProfile"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task All_servers_down_is_one_line_naming_each(bool grpc)
    {
        using var run = new LibxlRun();
        int httpPort = Host.FreePort(), grpcPort = Host.FreePort();

        var outcome = await run.BootAsync(Args(grpc, httpPort: httpPort, grpcPort: grpcPort));

        var port = grpc ? grpcPort : httpPort;
        string Named(string host) => grpc ? $"{host}:{port}" : $"http://{host}:{port}/ipxe";
        AssertFailed(outcome, 3, "XMB-213", $"{Named(First)} XMB-204 ");
        Assert.Contains($"; {Named("127.0.0.1")} XMB-204 ", outcome.ErrorLine);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task No_matching_group_on_the_first_server_is_the_answer_and_the_second_is_not_asked(bool grpc)
    {
        await using var empty = await MatchboxTestServer.StartAsync(new MatchboxTestServerOptions
        {
            HttpEndPoint = new IPEndPoint(FirstAddress, answering.HttpPort),
            GrpcEndPoint = new IPEndPoint(FirstAddress, answering.GrpcPort),
            Certificates = answering.Certificates,
            Store = new EmptyStore(),
        });
        using var run = new LibxlRun();
        var before = answering.Counters.Requests(LookupPath(grpc));

        var outcome = await run.BootAsync(Args(grpc));

        AssertFailed(outcome, 3, "XMB-201", "case=fo");
        Assert.Equal(1, empty.Counters.Requests(LookupPath(grpc)));
        Assert.Equal(before, answering.Counters.Requests(LookupPath(grpc)));
    }

    [Fact]
    public async Task The_list_may_come_from_the_environment_or_from_configuration_file_lines()
    {
        using var run = new LibxlRun();
        var fromEnvironment = await run.RunAsync([.. run.LibxlFlags(), .. Args(grpc: false, servers: null), run.DiskPath],
            environment: new Dictionary<string, string> { ["XENMATCHBOX_SERVER"] = " [::1] , 127.0.0.1" });
        AssertBootedFromSecond(fromEnvironment, grpc: false, "XMB-204 ");

        using var again = new LibxlRun();
        var config = Path.Combine(again.XenLibDir, "xenmatchbox.conf");
        await File.WriteAllTextAsync(config, "# tried in order\nserver = ::1\nserver = 127.0.0.1\n");
        var fromFile = await again.RunAsync([.. again.LibxlFlags(), .. Args(grpc: true, servers: null), again.DiskPath],
            environment: new Dictionary<string, string> { ["XENMATCHBOX_CONFIG"] = config });
        AssertBootedFromSecond(fromFile, grpc: true, "XMB-204 ");
    }

    [Fact]
    public async Task Show_names_the_server_that_answered_and_its_assets()
    {
        using var run = new LibxlRun();

        var outcome = await run.RunAsync(["show", .. Args(grpc: false)]);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var port = answering.HttpPort;
        Assert.Contains($"lookup:   HTTP http://127.0.0.1:{port}/ipxe?case=fo", outcome.Stdout);
        Assert.Contains($"kernel:   http://127.0.0.1:{port}/assets/vmlinuz ({IecSize.Of(kernel.Length)})", outcome.Stdout);
    }

    public async Task DisposeAsync()
    {
        await answering.DisposeAsync();
        Directory.Delete(assets, recursive: true);
    }
}
