using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using BcCertificate = Org.BouncyCastle.Tls.Certificate;
using CertificateRequest = Org.BouncyCastle.Tls.CertificateRequest;

namespace XenMatchbox.TestServer;

/// <summary>
/// matchbox's gRPC port as Go's TLS stack guards it, where the .NET TLS stack cannot: a client
/// certificate the CA file does not vouch for (another CA, expired, none at all) is refused with a
/// fatal TLS alert, <c>bad_certificate</c> by default, which is what matchbox v0.9.0 sends in every
/// such case, under TLS 1.2 and 1.3 alike (Kestrel, like any .NET server, completes the handshake
/// and closes without one). Under TLS 1.3 the client has finished its side of the handshake when
/// the alert comes, so it meets the alert on its first read, as it does with matchbox. A client
/// certificate the CA file vouches for gets a completed handshake, its first bytes are read, and
/// the connection is closed: a TLS front whose backend is down. The TLS is BouncyCastle's, which
/// sends the alert its server callback raises. Listens on 127.0.0.1 until disposed.
/// </summary>
/// <example>
/// <code>
/// using var refusing = new TlsAlertListener(server.TlsFiles!);
/// // --grpcport {refusing.Port} with a client certificate of another CA: the client reads the
/// // alert "bad certificate" (OpenSSL: "sslv3 alert bad certificate").
/// </code>
/// </example>
public sealed class TlsAlertListener : IDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly ClientCertificatePolicy policy;
    private readonly byte[] certificateDer;
    private readonly Org.BouncyCastle.Crypto.AsymmetricKeyParameter privateKey;
    private readonly bool ecdsa;
    private int handshakes;
    private int refusals;

    /// <summary>
    /// Serves <paramref name="files"/>' server certificate and judges client certificates by its CA
    /// file, as matchbox's <c>-ca-file</c>; a refused one gets the alert <paramref name="alert"/>
    /// (the TLS AlertDescription number, e.g. 42 bad_certificate, 48 unknown_ca, 45 certificate_expired, 116 certificate_required).
    /// </summary>
    public TlsAlertListener(ServerTlsFiles files, short alert = AlertDescription.bad_certificate)
    {
        Alert = alert;
        policy = ClientCertificatePolicy.FromCaFile(files.CaFile);
        using var certificate = X509Certificate2.CreateFromPemFile(files.CertFile, files.KeyFile);
        certificateDer = certificate.RawData;
        using var ec = certificate.GetECDsaPrivateKey();
        using var rsa = ec is null ? certificate.GetRSAPrivateKey() : null;
        ecdsa = ec is not null;
        var pkcs8 = ec?.ExportPkcs8PrivateKey() ?? rsa?.ExportPkcs8PrivateKey()
            ?? throw new ArgumentException($"{files.KeyFile}: neither an ECDSA nor an RSA key", nameof(files));
        privateKey = PrivateKeyFactory.CreateKey(pkcs8);
        listener.Start();
        _ = AcceptAsync();
    }

    /// <summary>The alert a refused client certificate gets.</summary>
    public short Alert { get; }

    /// <summary>The port on 127.0.0.1.</summary>
    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>Client certificates refused with the alert so far.</summary>
    public int Refusals => Volatile.Read(ref refusals);

    /// <summary>Handshakes completed (a client certificate the CA file vouches for) so far.</summary>
    public int Handshakes => Volatile.Read(ref handshakes);

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptSocketAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            // BouncyCastle's TLS is blocking: one thread per connection, as few as tests make.
            _ = Task.Factory.StartNew(() => Serve(socket), TaskCreationOptions.LongRunning);
        }
    }

    private void Serve(Socket socket)
    {
        using (socket)
        {
            socket.ReceiveTimeout = 10_000;
            var protocol = new TlsServerProtocol(new NetworkStream(socket, ownsSocket: false));
            var server = new Server(this);
            try
            {
                protocol.Accept(server);
                Interlocked.Increment(ref handshakes);
                // A front whose backend is down: what the client sent (its HTTP/2 preface) is read,
                // then the session and the connection end, before a byte of an answer.
                var buffer = new byte[16384];
                while (socket.Poll(TimeSpan.FromMilliseconds(200), SelectMode.SelectRead) && socket.Available > 0
                       && protocol.Stream.Read(buffer, 0, buffer.Length) > 0)
                {
                }
                protocol.Close();
            }
            catch (Exception e) when (e is IOException or SocketException)
            {
                // The refusal (the alert has been sent), or a client that went away.
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => listener.Stop();

    /// <summary>One connection's TLS server: TLS 1.2 and 1.3, ALPN h2, a client certificate required.</summary>
    private sealed class Server(TlsAlertListener owner) : DefaultTlsServer(new BcTlsCrypto(new SecureRandom()))
    {
        protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.TLSv13.DownTo(ProtocolVersion.TLSv12);

        protected override IList<ProtocolName> GetProtocolNames() => [ProtocolName.Http_2_Tls];

        /// <summary>matchbox's: for TLS 1.2 the ECDHE AES-GCM suites of the key's type.</summary>
        protected override int[] GetSupportedCipherSuites() => TlsUtilities.GetSupportedCipherSuites(Crypto,
        [
            CipherSuite.TLS_AES_128_GCM_SHA256,
            CipherSuite.TLS_AES_256_GCM_SHA384,
            CipherSuite.TLS_CHACHA20_POLY1305_SHA256,
            .. owner.ecdsa
                ? new[] { CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 }
                : [CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384],
        ]);

        public override TlsCredentials GetCredentials()
        {
            var crypto = (BcTlsCrypto)Crypto;
            var tls13 = TlsUtilities.IsTlsV13(m_context);
            var certificate = crypto.CreateCertificate(owner.certificateDer);
            var chain = tls13 ? new BcCertificate(TlsUtilities.EmptyBytes, [new CertificateEntry(certificate, null)]) : new BcCertificate([certificate]);
            var algorithm = owner.ecdsa ? SignatureAndHashAlgorithm.GetInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa)
                : tls13 ? SignatureAndHashAlgorithm.rsa_pss_rsae_sha256
                : SignatureAndHashAlgorithm.GetInstance(HashAlgorithm.sha256, SignatureAlgorithm.rsa);
            return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(m_context), crypto, owner.privateKey, chain, algorithm);
        }

        public override CertificateRequest GetCertificateRequest()
        {
            var algorithms = TlsUtilities.GetDefaultSupportedSignatureAlgorithms(m_context);
            return TlsUtilities.IsTlsV13(m_context)
                ? new CertificateRequest(TlsUtilities.EmptyBytes, algorithms, null, null)
                : new CertificateRequest([ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign], algorithms, null);
        }

        /// <summary>As Go's RequireAndVerifyClientCert: none, or one the CA file does not vouch for, is refused.</summary>
        public override void NotifyClientCertificate(BcCertificate clientCertificate)
        {
            var presented = clientCertificate is { IsEmpty: false } ? clientCertificate.GetCertificateList() : [];
            using var leaf = presented.Length > 0 ? X509CertificateLoader.LoadCertificate(presented[0].GetEncoded()) : null;
            if (leaf is null || !owner.policy.Accepts(leaf, null, default))
            {
                Interlocked.Increment(ref owner.refusals);
                throw new TlsFatalAlert(owner.Alert);
            }
        }
    }
}
