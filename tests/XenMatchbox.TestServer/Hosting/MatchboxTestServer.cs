using System.Net;

namespace XenMatchbox.TestServer;

/// <summary>
/// A running matchbox-compatible server: rpcpb.Select over mutual TLS on one listener, matchbox's
/// HTTP endpoints on another. Stop it by disposing it.
/// </summary>
/// <example>
/// <code>
/// await using var server = await MatchboxTestServer.StartAsync(new MatchboxTestServerOptions
/// {
///     Store = new FixedStore([new MatchboxGroup { Id = "g", Profile = "p" }], [profile]),
/// });
/// // gRPC: https://127.0.0.1:{server.GrpcPort}, trusting server.CertificateFiles.CaFile,
/// // presenting server.CertificateFiles.ClientCertFile/ClientKeyFile; HTTP: server.HttpBaseUrl.
/// </code>
/// </example>
public sealed class MatchboxTestServer : IAsyncDisposable
{
    private readonly ServerState state;
    private readonly WebApplication http;
    private WebApplication? grpc;
    private readonly Action<ILoggingBuilder>? configureLogging;
    private readonly WebApplication? https;
    private readonly TestCertificates? ownedCertificates;
    private readonly string? ownedDirectory;
    private int disposed;

    private MatchboxTestServer(
        ServerState state, WebApplication http, WebApplication? grpc, WebApplication? https,
        TestCertificates? certificates, CertificateFiles? certificateFiles, ServerTlsFiles? tlsFiles,
        TestCertificates? ownedCertificates, string? ownedDirectory, Action<ILoggingBuilder>? configureLogging)
    {
        this.configureLogging = configureLogging;
        this.state = state;
        this.http = http;
        this.grpc = grpc;
        this.https = https;
        this.ownedCertificates = ownedCertificates;
        this.ownedDirectory = ownedDirectory;
        Certificates = certificates;
        CertificateFiles = certificateFiles;
        TlsFiles = tlsFiles;
        HttpEndPoint = QuietWebHost.BoundEndPoint(http);
        GrpcEndPoint = grpc is null ? null : QuietWebHost.BoundEndPoint(grpc);
        HttpsEndPoint = https is null ? null : QuietWebHost.BoundEndPoint(https);
    }

    /// <summary>Starts both listeners and returns once they accept connections.</summary>
    public static async Task<MatchboxTestServer> StartAsync(MatchboxTestServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new MatchboxTestServerOptions();
        var state = new ServerState(options.Store, options.AssetsPath, options.IpxeStyle, options.RecordClientUids)
        {
            IpxeSigner = options.IpxeSigner,
        };

        TestCertificates? certificates = null, ownedCertificates = null;
        CertificateFiles? certificateFiles = null;
        ServerTlsFiles? tlsFiles = null;
        string? ownedDirectory = null;
        WebApplication? http = null, grpc = null, https = null;
        try
        {
            if (options.GrpcEndPoint is not null)
            {
                tlsFiles = options.TlsFiles;
                if (tlsFiles is null)
                {
                    certificates = options.Certificates ?? (ownedCertificates = TestCertificates.Create(options.ServerNames));
                    var directory = options.CertificateDirectory
                        ?? (ownedDirectory = Directory.CreateTempSubdirectory("xenmatchbox-testserver-").FullName);
                    certificateFiles = certificates.WriteTo(directory);
                    tlsFiles = certificateFiles.Server;
                }
                grpc = GrpcEndpointHost.Build(state, options.GrpcEndPoint, tlsFiles, options.ConfigureLogging);
            }
            http = HttpEndpointHost.Build(state, options.HttpEndPoint, options.ConfigureLogging);
            if (options.HttpsEndPoint is not null)
            {
                https = HttpEndpointHost.Build(state, options.HttpsEndPoint, options.ConfigureLogging,
                    tlsFiles ?? throw new InvalidOperationException("HTTPS needs the gRPC listener's certificates"));
            }
            await Task.WhenAll(
                http.StartAsync(cancellationToken),
                grpc?.StartAsync(cancellationToken) ?? Task.CompletedTask,
                https?.StartAsync(cancellationToken) ?? Task.CompletedTask);
            return new MatchboxTestServer(
                state, http, grpc, https, certificates, certificateFiles, tlsFiles, ownedCertificates, ownedDirectory, options.ConfigureLogging);
        }
        catch
        {
            // Part of the server may be up while the rest failed (a port in use, a bad PEM file):
            // stop what did start and remove what was made.
            await StopAsync(http, grpc, https, ownedCertificates, ownedDirectory);
            throw;
        }
    }

    /// <summary>The HTTP listener's bound address.</summary>
    public IPEndPoint HttpEndPoint { get; }

    /// <summary>The HTTP listener's port.</summary>
    public int HttpPort => HttpEndPoint.Port;

    /// <summary>The HTTP base URL without a trailing slash, e.g. <c>http://127.0.0.1:40123</c>.</summary>
    public string HttpBaseUrl => $"http://{HttpEndPoint}";

    /// <summary>The HTTPS listener's bound address; null unless <see cref="MatchboxTestServerOptions.HttpsEndPoint"/> was set.</summary>
    public IPEndPoint? HttpsEndPoint { get; }

    /// <summary>The gRPC listener's bound address; null when gRPC is disabled.</summary>
    public IPEndPoint? GrpcEndPoint { get; }

    /// <summary>The gRPC listener's port.</summary>
    public int GrpcPort => (GrpcEndPoint ?? throw new InvalidOperationException("gRPC is disabled")).Port;

    /// <summary>The gRPC endpoint as matchbox clients write it: <c>127.0.0.1:40124</c>.</summary>
    public string GrpcAddress => (GrpcEndPoint ?? throw new InvalidOperationException("gRPC is disabled")).ToString();

    /// <summary>The test PKI in use; null when the server was given <see cref="MatchboxTestServerOptions.TlsFiles"/> or runs without gRPC.</summary>
    public TestCertificates? Certificates { get; }

    /// <summary>The PEM files of <see cref="Certificates"/> (CA, server and client); null when it is null.</summary>
    public CertificateFiles? CertificateFiles { get; }

    /// <summary>The CA, certificate and key files the gRPC listener uses; null without gRPC.</summary>
    public ServerTlsFiles? TlsFiles { get; }

    /// <summary>Where groups and profiles come from; replace it at any time to change what the next request sees.</summary>
    public IMatchboxStore Store
    {
        get => state.Store;
        set => state.Store = value;
    }

    /// <summary>The shape of the <c>/ipxe</c> script; may be changed at any time.</summary>
    public IpxeStyle IpxeStyle
    {
        get => state.IpxeStyle;
        set => state.IpxeStyle = value;
    }

    /// <summary>Signs /ipxe for /ipxe.sig and /ipxe.asc; null answers them 404. May be changed at any time.</summary>
    public IDetachedSigner? IpxeSigner
    {
        get => state.IpxeSigner;
        set => state.IpxeSigner = value;
    }

    /// <summary>Directory served under <c>/assets/</c>; null when disabled.</summary>
    public string? AssetsPath => state.AssetsPath;

    /// <summary>Requests and body bytes per path, for assertions.</summary>
    public RequestCounters Counters => state.Counters;

    /// <summary>Faults to inject on HTTP paths.</summary>
    public AssetFaults Faults => state.Faults;

    /// <summary>
    /// When set, every rpcpb.Select call answers this status instead of selecting, e.g.
    /// UNAVAILABLE as a proxy in front of a matchbox that is down answers; null (the default)
    /// selects as matchbox does. Takes effect on the next call.
    /// </summary>
    public Grpc.Core.Status? SelectAnswer
    {
        get => state.SelectAnswer;
        set => state.SelectAnswer = value;
    }

    /// <summary>
    /// Every TCP connection either listener accepted, in the order accepted, with the uid owning the
    /// client's socket (see <see cref="ClientConnection.Uid"/>; null unless
    /// <see cref="MatchboxTestServerOptions.RecordClientUids"/>). A copy as of this call; the log only
    /// grows, so a test sharing the server can note <c>Count</c> first and <c>Skip</c> that many after.
    /// </summary>
    public IReadOnlyList<ClientConnection> Connections => state.Connections.Snapshot();

    /// <summary>
    /// The distinct uids of <see cref="Connections"/> (those that were found), ascending: e.g. to
    /// check that a client which drops privileges connects only as the uid it dropped to.
    /// </summary>
    public IReadOnlyCollection<int> ClientUids =>
        [.. Connections.Select(c => c.Uid).OfType<int>().Distinct().Order()];

    /// <summary>
    /// The labels of every SelectGroup and SelectProfile call, in the order received, exactly as sent
    /// (gRPC does no normalisation), whether or not anything matched. A copy as of this call; only grows.
    /// </summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> ReceivedLabels => state.Labels.Snapshot();

    /// <summary>
    /// What a restarting matchbox looks like to its gRPC clients: the gRPC listener stops at once
    /// (open connections, TLS done or not, are cut off and requests in flight fail), nothing
    /// listens on its port for <paramref name="down"/> (connections are refused), then a new
    /// listener with the same certificates serves the same state on the same port. HTTP stays up.
    /// </summary>
    public async Task RestartGrpcAsync(TimeSpan down)
    {
        var old = grpc ?? throw new InvalidOperationException("gRPC is disabled");
        // Kestrel closes its listening socket first, then cuts the connections (which takes a
        // second or so): the port is down from the start, and the new listener need not wait for
        // the rest (it binds with SO_REUSEPORT beside the closing one).
        var stopping = old.StopAsync(new CancellationToken(canceled: true));
        await Task.Delay(down);
        var fresh = GrpcEndpointHost.Build(state, GrpcEndPoint!, TlsFiles!, configureLogging);
        await fresh.StartAsync();
        await stopping;
        await old.DisposeAsync();
        grpc = fresh;
    }

    /// <summary>Stops both listeners (cutting off requests still running) and removes generated files; later calls do nothing.</summary>
    public ValueTask DisposeAsync() =>
        Interlocked.Exchange(ref disposed, 1) == 0 ? new(StopAsync(http, grpc, https, ownedCertificates, ownedDirectory)) : ValueTask.CompletedTask;

    private static async Task StopAsync(
        WebApplication? http, WebApplication? grpc, WebApplication? https, TestCertificates? ownedCertificates, string? ownedDirectory)
    {
        WebApplication[] apps = [.. new[] { http, grpc, https }.OfType<WebApplication>()];
        await Task.WhenAll(apps.Select(app => app.StopAsync()));
        foreach (var app in apps)
        {
            await app.DisposeAsync();
        }
        ownedCertificates?.Dispose();
        if (ownedDirectory is not null)
        {
            Directory.Delete(ownedDirectory, recursive: true);
        }
    }
}
