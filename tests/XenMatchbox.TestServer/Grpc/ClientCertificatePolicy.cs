using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace XenMatchbox.TestServer;

/// <summary>
/// matchbox's client authentication (Go's RequireAndVerifyClientCert): a client certificate must
/// chain to one of the certificates in the CA file, be within its validity period and be usable for
/// client authentication. Only that CA is trusted (not the system store); revocation is not checked;
/// names and roles are not checked either: any certificate the CA signed is accepted.
/// </summary>
internal sealed class ClientCertificatePolicy(X509Certificate2Collection trustedCas)
{
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    public static ClientCertificatePolicy FromCaFile(string caFile)
    {
        var cas = new X509Certificate2Collection();
        cas.ImportFromPemFile(caFile);
        return cas.Count > 0 ? new ClientCertificatePolicy(cas) : throw new InvalidDataException($"{caFile}: no PEM certificates");
    }

    public bool Accepts(X509Certificate2 certificate, X509Chain? presented, SslPolicyErrors ignored)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trustedCas);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuthentication);
        // Intermediates the client sent may complete the chain; they are not trusted by themselves.
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }
        return chain.Build(certificate);
    }
}
