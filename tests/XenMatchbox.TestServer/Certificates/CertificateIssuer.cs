using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace XenMatchbox.TestServer;

/// <summary>Makes the certificates of a test PKI: a self-signed CA and leaf certificates it signs.</summary>
internal static class CertificateIssuer
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    /// <summary>CA:true with path length 0 (it signs leaves only), allowed to sign certificates.</summary>
    public static X509Certificate2 CreateCa(KeyAlgorithm algorithm, string commonName, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var (request, key) = NewRequest(algorithm, commonName);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using (key)
        {
            return request.CreateSelfSigned(notBefore, notAfter);
        }
    }

    /// <summary>A server certificate: the names as subject alternative names (IPs as IP entries), serverAuth.</summary>
    public static X509Certificate2 IssueServer(
        X509Certificate2 ca, KeyAlgorithm algorithm, IEnumerable<string> names, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            if (IPAddress.TryParse(name, out var address))
            {
                san.AddIpAddress(address);
            }
            else
            {
                san.AddDnsName(name);
            }
        }
        return IssueLeaf(ca, algorithm, "fake-server", ServerAuthentication, san.Build(), notBefore, notAfter);
    }

    /// <summary>A client certificate: clientAuth, no subject alternative names.</summary>
    public static X509Certificate2 IssueClient(
        X509Certificate2 ca, KeyAlgorithm algorithm, string commonName, DateTimeOffset notBefore, DateTimeOffset notAfter) =>
        IssueLeaf(ca, algorithm, commonName, ClientAuthentication, null, notBefore, notAfter);

    private static X509Certificate2 IssueLeaf(
        X509Certificate2 ca, KeyAlgorithm algorithm, string commonName, Oid usage, X509Extension? san,
        DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var (request, key) = NewRequest(algorithm, commonName);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        var keyUsage = algorithm == KeyAlgorithm.Rsa
            ? X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment
            : X509KeyUsageFlags.DigitalSignature;
        request.CertificateExtensions.Add(new X509KeyUsageExtension(keyUsage, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (san is not null)
        {
            request.CertificateExtensions.Add(san);
        }
        using var caEcdsa = ca.GetECDsaPrivateKey();
        using var caRsa = caEcdsa is null ? ca.GetRSAPrivateKey() : null;
        var generator = caEcdsa is not null ? X509SignatureGenerator.CreateForECDsa(caEcdsa)
            : caRsa is not null ? X509SignatureGenerator.CreateForRSA(caRsa, RSASignaturePadding.Pkcs1)
            : throw new ArgumentException("the CA has no private key", nameof(ca));
        using (key)
        {
            using var signed = request.Create(ca.SubjectName, generator, notBefore, notAfter, SerialNumber());
            return key switch
            {
                ECDsa ecdsa => signed.CopyWithPrivateKey(ecdsa),
                RSA rsa => signed.CopyWithPrivateKey(rsa),
                _ => throw new NotSupportedException(key.GetType().Name),
            };
        }
    }

    private static (CertificateRequest Request, AsymmetricAlgorithm Key) NewRequest(KeyAlgorithm algorithm, string commonName)
    {
        var subject = new X500DistinguishedName($"CN={commonName}");
        if (algorithm == KeyAlgorithm.Rsa)
        {
            var rsa = RSA.Create(2048);
            return (new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), rsa);
        }
        var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return (new CertificateRequest(subject, ecdsa, HashAlgorithmName.SHA256), ecdsa);
    }

    // Positive (top bit clear) and random, so no two test certificates share a serial.
    private static byte[] SerialNumber()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        return serial;
    }
}
