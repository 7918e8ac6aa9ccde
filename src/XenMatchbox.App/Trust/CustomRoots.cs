using System.Security.Cryptography.X509Certificates;
using Microsoft.FSharp.Collections;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// The one way a certificate is judged against anchors of our own (--ca, --web-ca, the system
/// store as <see cref="SystemTrust"/> reads it) rather than the platform's store: those roots alone,
/// and no revocation check (no CRL or OCSP server is reachable, or wanted, from a dom0 at boot).
/// Which anchors a connection trusts is the Domain's (TlsFailure.trustedAnchors).
/// </summary>
internal static class CustomRoots
{
    /// <summary>
    /// A chain policy that trusts <paramref name="anchors"/> alone; with <paramref name="ignoreDates"/>,
    /// whatever the certificates' dates (for a check that judges them on a line of its own).
    /// </summary>
    public static X509ChainPolicy Policy(X509Certificate2Collection anchors, bool ignoreDates = false)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        policy.CustomTrustStore.AddRange(anchors);
        if (ignoreDates)
        {
            policy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid;
        }
        return policy;
    }

    /// <summary>
    /// Builds the chain from <paramref name="certificate"/> (with the intermediates the server sent,
    /// <paramref name="sent"/>) to <paramref name="anchors"/>: null when it leads there, else the
    /// chain as TlsFailure reads it, under the anchors' <paramref name="name"/> (anchors without a
    /// certificate are "no CA certificates were read").
    /// </summary>
    public static TlsFailure.Chain? Refusal(
        X509Certificate certificate, X509Certificate2Collection anchors, string name, X509Chain? sent = null, bool ignoreDates = false)
    {
        if (anchors.Count == 0)
        {
            return new TlsFailure.Chain(name, ListModule.OfSeq(["no CA certificates were read"]));
        }
        using var chain = new X509Chain { ChainPolicy = Policy(anchors, ignoreDates) };
        if (sent is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(sent.ChainPolicy.ExtraStore);
        }
        using var loaded = certificate is X509Certificate2 ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(loaded ?? (X509Certificate2)certificate) ? null : new TlsFailure.Chain(name, Status(chain));
    }

    /// <summary>The X509ChainStatusFlags of a chain, by name, once each.</summary>
    public static FSharpList<string> Status(X509Chain chain) =>
        ListModule.OfSeq(chain.ChainStatus.Select(s => s.Status.ToString()).Distinct());
}
