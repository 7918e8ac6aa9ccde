using System.Security.Cryptography.X509Certificates;

namespace XenMatchbox.TestServer;

/// <summary>Certificates as PEM files; keys unencrypted PKCS#8 ("BEGIN PRIVATE KEY"), readable by the owner only.</summary>
internal static class PemFiles
{
    public static void WriteCertificate(X509Certificate2 certificate, string file) =>
        File.WriteAllText(file, certificate.ExportCertificatePem() + "\n");

    public static void WriteKey(X509Certificate2 certificate, string file)
    {
        using var ecdsa = certificate.GetECDsaPrivateKey();
        using var rsa = ecdsa is null ? certificate.GetRSAPrivateKey() : null;
        var pem = ecdsa?.ExportPkcs8PrivateKeyPem()
            ?? rsa?.ExportPkcs8PrivateKeyPem()
            ?? throw new ArgumentException($"{certificate.Subject} has no private key", nameof(certificate));
        File.WriteAllText(file, "");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        File.WriteAllText(file, pem + "\n");
    }
}
