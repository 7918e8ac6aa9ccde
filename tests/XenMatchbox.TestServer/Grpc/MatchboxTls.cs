using System.Net.Security;
using System.Runtime.Versioning;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace XenMatchbox.TestServer;

/// <summary>
/// matchbox's gRPC TLS settings: TLS 1.2 or later, a client certificate required and verified
/// against the CA file, and for TLS 1.2 only the ECDHE AES-GCM suites (TLS 1.3 suites as usual).
/// </summary>
internal static class MatchboxTls
{
    [UnsupportedOSPlatform("windows")]
    private static CipherSuitesPolicy Suites() => new(
    [
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    ]);

    public static HttpsConnectionAdapterOptions Options(ServerTlsFiles files)
    {
        var policy = ClientCertificatePolicy.FromCaFile(files.CaFile);
        // Windows' TLS stack takes no per-connection suite list; this server is meant for Linux anyway.
        var suites = OperatingSystem.IsWindows() ? null : Suites();
        return new HttpsConnectionAdapterOptions
        {
            ServerCertificate = X509Certificate2.CreateFromPemFile(files.CertFile, files.KeyFile),
            ClientCertificateMode = ClientCertificateMode.RequireCertificate,
            ClientCertificateValidation = policy.Accepts,
            CheckCertificateRevocation = false,
            SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            OnAuthenticate = (_, ssl) => ssl.CipherSuitesPolicy = suites,
        };
    }
}
