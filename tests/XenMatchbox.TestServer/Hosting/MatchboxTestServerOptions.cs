using System.Net;

namespace XenMatchbox.TestServer;

/// <summary>How to start a <see cref="MatchboxTestServer"/>. The defaults suit an in-process test.</summary>
public sealed class MatchboxTestServerOptions
{
    /// <summary>Where groups and profiles come from: <see cref="FileStore"/> for a data directory, <see cref="FixedStore"/> in memory.</summary>
    public IMatchboxStore Store { get; init; } = new EmptyStore();

    /// <summary>Directory served under <c>/assets/</c>; null disables <c>/assets/</c>.</summary>
    public string? AssetsPath { get; init; }

    /// <summary>The HTTP listener's address; port 0 picks a free port.</summary>
    public IPEndPoint HttpEndPoint { get; init; } = new(IPAddress.Loopback, 0);

    /// <summary>
    /// An HTTPS listener serving the same endpoints and assets with the server certificate; null (the
    /// default) for none. Needs gRPC's certificates, so <see cref="GrpcEndPoint"/> must be set.
    /// </summary>
    public IPEndPoint? HttpsEndPoint { get; init; }

    /// <summary>The gRPC listener's address; port 0 picks a free port; null disables gRPC (as matchbox without <c>-rpc-address</c>).</summary>
    public IPEndPoint? GrpcEndPoint { get; init; } = new(IPAddress.Loopback, 0);

    /// <summary>
    /// Existing PEM files for the gRPC listener. When null, the server uses <see cref="Certificates"/>,
    /// or makes a new <see cref="TestCertificates"/> for <see cref="ServerNames"/>, and writes it to
    /// <see cref="CertificateDirectory"/>.
    /// </summary>
    public ServerTlsFiles? TlsFiles { get; init; }

    /// <summary>A test PKI to use when <see cref="TlsFiles"/> is null (the caller keeps ownership).</summary>
    public TestCertificates? Certificates { get; init; }

    /// <summary>Names the generated server certificate covers.</summary>
    public IReadOnlyList<string> ServerNames { get; init; } = TestCertificates.LoopbackNames;

    /// <summary>Where generated PEM files go; null means a temporary directory removed on dispose.</summary>
    public string? CertificateDirectory { get; init; }

    /// <summary>
    /// Signs <c>/ipxe</c> for <c>/ipxe.sig</c> and <c>/ipxe.asc</c> (matchbox's <c>-key-ring-path</c>);
    /// null (the default) answers them 404.
    /// </summary>
    public IDetachedSigner? IpxeSigner { get; init; }

    /// <summary>The shape of the <c>/ipxe</c> script.</summary>
    public IpxeStyle IpxeStyle { get; init; } = IpxeStyle.Current;

    /// <summary>
    /// Look up the uid owning each client socket (for tests of privilege drops). Off by default: it
    /// reads /proc/net/tcp per connection, some milliseconds that benchmarks must not count.
    /// </summary>
    public bool RecordClientUids { get; init; }

    /// <summary>Adds logging providers; by default the server logs nothing.</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }
}
