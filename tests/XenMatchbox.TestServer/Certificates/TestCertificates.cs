using System.Security.Cryptography.X509Certificates;

namespace XenMatchbox.TestServer;

/// <summary>
/// A throwaway PKI made in-process, shaped like matchbox's cert-gen output: a CA, a server
/// certificate for given names and a client certificate, both signed by the CA. Every
/// <see cref="Create"/> makes a new, unrelated CA (for wrong-CA tests).
/// </summary>
public sealed class TestCertificates : IDisposable
{
    /// <summary>The names a server certificate gets when none are given.</summary>
    public static readonly IReadOnlyList<string> LoopbackNames = ["127.0.0.1", "localhost"];

    // Back-dated so that freshly made certificates are valid at once, and the CA covers expired leaves.
    private static readonly TimeSpan CaBackdating = TimeSpan.FromDays(30);
    private static readonly TimeSpan LeafBackdating = TimeSpan.FromHours(1);

    private TestCertificates(KeyAlgorithm algorithm, IReadOnlyList<string> serverNames)
    {
        var now = DateTimeOffset.UtcNow;
        Algorithm = algorithm;
        ServerNames = serverNames;
        Ca = CertificateIssuer.CreateCa(algorithm, "fake-ca", now - CaBackdating, now.AddYears(10));
        Server = CertificateIssuer.IssueServer(Ca, algorithm, serverNames, now - LeafBackdating, now.AddYears(1));
        Client = IssueClient(now - LeafBackdating, now.AddYears(1));
    }

    /// <summary>The key type of every certificate here.</summary>
    public KeyAlgorithm Algorithm { get; }

    /// <summary>The server certificate's DNS names and IP addresses.</summary>
    public IReadOnlyList<string> ServerNames { get; }

    /// <summary>The CA (self-signed, CA:true), with its private key.</summary>
    public X509Certificate2 Ca { get; }

    /// <summary>The server certificate (serverAuth), with its private key.</summary>
    public X509Certificate2 Server { get; }

    /// <summary>The client certificate (clientAuth, CN fake-client), with its private key.</summary>
    public X509Certificate2 Client { get; }

    /// <summary>A new PKI whose server certificate covers <paramref name="serverNames"/> (default <see cref="LoopbackNames"/>).</summary>
    public static TestCertificates Create(IEnumerable<string>? serverNames = null, KeyAlgorithm algorithm = KeyAlgorithm.Ecdsa) =>
        new(algorithm, [.. serverNames ?? LoopbackNames]);

    /// <summary>Another PKI with the same names and key type but its own, unrelated CA.</summary>
    public TestCertificates CreateUnrelated() => Create(ServerNames, Algorithm);

    /// <summary>A further client certificate from this CA, valid between the given times.</summary>
    public X509Certificate2 IssueClient(DateTimeOffset notBefore, DateTimeOffset notAfter, string commonName = "fake-client") =>
        CertificateIssuer.IssueClient(Ca, Algorithm, commonName, notBefore, notAfter);

    /// <summary>
    /// A further server certificate from this CA for <paramref name="names"/> (DNS names and IP
    /// addresses), valid between the given times: e.g. one for another name, or one that has expired.
    /// Write it with <see cref="WritePem"/> and serve it through <see cref="MatchboxTestServerOptions.TlsFiles"/>.
    /// </summary>
    public X509Certificate2 IssueServer(IEnumerable<string> names, DateTimeOffset notBefore, DateTimeOffset notAfter) =>
        CertificateIssuer.IssueServer(Ca, Algorithm, names, notBefore, notAfter);

    /// <summary>A server certificate from this CA for <paramref name="names"/> that expired yesterday.</summary>
    public X509Certificate2 IssueExpiredServer(IEnumerable<string> names)
    {
        var now = DateTimeOffset.UtcNow;
        return IssueServer(names, now.AddDays(-10), now.AddDays(-1));
    }

    /// <summary>
    /// Writes the CA and a server certificate of this PKI (with its key) into
    /// <paramref name="directory"/> as <c>ca.crt</c>, <c>server.crt</c> and <c>server.key</c>: the
    /// files a server listener is started with (<see cref="MatchboxTestServerOptions.TlsFiles"/>).
    /// </summary>
    public ServerTlsFiles WriteServerTo(X509Certificate2 server, string directory)
    {
        Directory.CreateDirectory(directory);
        var files = new ServerTlsFiles(Path.Join(directory, "ca.crt"), Path.Join(directory, "server.crt"), Path.Join(directory, "server.key"));
        PemFiles.WriteCertificate(Ca, files.CaFile);
        WritePem(server, files.CertFile, files.KeyFile);
        return files;
    }

    /// <summary>A client certificate from this CA that expired yesterday.</summary>
    public X509Certificate2 IssueExpiredClient()
    {
        var now = DateTimeOffset.UtcNow;
        return IssueClient(now.AddDays(-10), now.AddDays(-1), "expired-client");
    }

    /// <summary>
    /// Writes <c>ca.crt</c>, <c>server.crt</c>, <c>server.key</c>, <c>client.crt</c> and <c>client.key</c>
    /// into <paramref name="directory"/> (created if needed).
    /// </summary>
    public CertificateFiles WriteTo(string directory)
    {
        Directory.CreateDirectory(directory);
        var files = new CertificateFiles(
            Path.Join(directory, "ca.crt"),
            Path.Join(directory, "server.crt"),
            Path.Join(directory, "server.key"),
            Path.Join(directory, "client.crt"),
            Path.Join(directory, "client.key"));
        PemFiles.WriteCertificate(Ca, files.CaFile);
        WritePem(Server, files.ServerCertFile, files.ServerKeyFile);
        WritePem(Client, files.ClientCertFile, files.ClientKeyFile);
        return files;
    }

    /// <summary>Writes a certificate and its private key (unencrypted PKCS#8) as PEM files.</summary>
    public static void WritePem(X509Certificate2 certificate, string certFile, string keyFile)
    {
        PemFiles.WriteCertificate(certificate, certFile);
        PemFiles.WriteKey(certificate, keyFile);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Ca.Dispose();
        Server.Dispose();
        Client.Dispose();
    }
}
