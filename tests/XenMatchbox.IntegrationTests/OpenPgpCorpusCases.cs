namespace XenMatchbox.IntegrationTests;

/// <summary>What one corpus case serves and gives: the document, its signature, the key files.</summary>
public sealed record CaseFiles(byte[] Data, byte[] Signature, params byte[][] Keys);

/// <summary>
/// One case of the corpus: its name (at most 50 characters, as xunit shows it), the XMB code
/// xenmatchbox must end with (null: it boots), and, where xenmatchbox deliberately differs from
/// sqv, why (one of <see cref="Differences"/>).
/// </summary>
public sealed record CorpusCase(string Name, string? Code, string? Difference, Func<CorpusMaterial, CaseFiles> Build);

/// <summary>
/// The deliberate differences from sqv, the only cases where xenmatchbox's verdict may differ from
/// Sequoia's. sqv judges a certificate as of the signature's creation time; xenmatchbox judges it
/// then and now.
/// </summary>
public static class Differences
{
    /// <summary>sqv and gpgv accept a signature made while its key was valid; xenmatchbox refuses a key that has expired since (README, Trust: the key is judged as of now).</summary>
    public const string ExpiredNow = "expired key judged now";

    /// <summary>sqv accepts a signature made before a soft revocation (superseded, retired); xenmatchbox refuses a revoked key whatever the reason and the date.</summary>
    public const string RevokedNow = "soft revocation judged now";

    /// <summary>
    /// Text mode over a lone CR (not before a LF): GnuPG and Go's openpgp (what matchbox signs with)
    /// hash it as data and turn only LF into CRLF, and gpgv verifies what they sign; sqv turns a
    /// lone CR into a line end and refuses. xenmatchbox follows the signers (openpgp-notes.md), so
    /// gpgv must agree with it here.
    /// </summary>
    public const string LoneCrText = "lone CR in text mode: the signers' and gpgv's hashing";

    /// <summary>
    /// A signature dated up to 5 minutes after dom0's clock is taken (README, XMB-709): matchbox
    /// signs /ipxe as it answers, on its own clock. sqv allows none (its --not-after is now).
    /// </summary>
    public const string ClockLeeway = "5 minutes' clock leeway";

    /// <summary>
    /// A signature file holds one signature (README, XMB-704): sqv accepts a file of several when
    /// enough of them are good (--signatures, 1 by default).
    /// </summary>
    public const string OneSignature = "one signature per file";

    /// <summary>The differences where xenmatchbox boots what sqv refuses; in the others it refuses what sqv accepts.</summary>
    public static readonly string[] Accepting = [LoneCrText, ClockLeeway];
}

/// <summary>Edits of a key file's packets: find a key, a user ID, a signature; replace, insert, flip.</summary>
public static class CertEdit
{
    public static byte[] Write(IEnumerable<Packet> packets) => OpenPgpPackets.Write(packets);

    public static int KeyIndex(List<Packet> packets, string fingerprint) =>
        packets.FindIndex(p => p.IsKey && Convert.ToHexString(p.Fingerprint()) == fingerprint);

    public static int UserIdIndex(List<Packet> packets) => packets.FindIndex(p => p.Tag == Packet.UserId);

    /// <summary>The first signature packet of <paramref name="type"/> after <paramref name="index"/>, before the next key or user ID.</summary>
    public static int SignatureAfter(List<Packet> packets, int index, int type)
    {
        for (var i = index + 1; i < packets.Count && packets[i].Tag == Packet.Signature; i++)
        {
            if (packets[i].SignatureType == type) return i;
        }
        throw new InvalidOperationException($"no signature of type 0x{type:x2} after packet {index}");
    }

    /// <summary>The packet with one byte of its last MPI changed: still a packet, no longer the signature.</summary>
    public static Packet Flip(Packet packet)
    {
        var body = (byte[])packet.Body.Clone();
        body[^5] ^= 0x01;
        return packet with { Body = body };
    }

    /// <summary>A signature packet's body with one byte of its last MPI changed.</summary>
    public static byte[] Flip(byte[] signatureBody)
    {
        var body = (byte[])signatureBody.Clone();
        body[^5] ^= 0x01;
        return body;
    }

    public static List<Packet> Replace(List<Packet> packets, int index, params Packet[] with)
    {
        packets.RemoveAt(index);
        packets.InsertRange(index, with);
        return packets;
    }

    public static List<Packet> InsertAfter(List<Packet> packets, int index, params Packet[] with)
    {
        packets.InsertRange(index + 1, with);
        return packets;
    }

    /// <summary>The export's signature packet with its body edited.</summary>
    public static byte[] EditSignature(byte[] signature, Func<byte[], byte[]> edit)
    {
        var packet = OpenPgpPackets.Parse(signature).Single();
        return Write([packet with { Body = edit(packet.Body) }]);
    }
}

/// <summary>The corpus: every case, in the order of the table.</summary>
public static class OpenPgpCorpusCases
{
    private const int UserIdCertification = 0x13;
    private const int SubkeyBinding = 0x18;
    private const int BackSignature = 0x19;
    private const int DirectKey = 0x1F;
    private const int KeyRevocation = 0x20;
    private const int SubkeyRevocation = 0x28;
    private const int Binary = 0x00;

    /// <summary>A subpacket type no verifier knows (100–110 are for private or experimental use).</summary>
    private const int UnknownSubpacket = 101;

    public static IReadOnlyList<CorpusCase> All { get; } = Build();

    public static CorpusCase Named(string name) => All.Single(c => c.Name == name);

    private static List<CorpusCase> Build()
    {
        var cases = new List<CorpusCase>();
        void Add(string name, string? code, Func<CorpusMaterial, CaseFiles> build, string? difference = null) =>
            cases.Add(new CorpusCase(name, code, difference, build));

        // GnuPG's own signatures: each mode, each hash, each kind of line end. Binary mode covers the
        // very bytes; text mode turns LF into CRLF and leaves a lone CR as it is (GnuPG, Go's openpgp).
        (string Name, string Gpg)[] hashes = [("SHA-1", "SHA1"), ("SHA-224", "SHA224"), ("SHA-256", "SHA256"), ("SHA-384", "SHA384"), ("SHA-512", "SHA512")];
        (string Name, byte[] Data, bool LoneCr)[] texts = [("LF", CorpusMaterial.Lf, false), ("CRLF", CorpusMaterial.Crlf, false), ("lone CR", CorpusMaterial.LoneCr, true), ("trailing CR", CorpusMaterial.TrailingCr, true)];
        foreach (var text in new[] { false, true })
        {
            foreach (var document in texts)
            {
                foreach (var hash in hashes)
                {
                    var sha1 = hash.Name == "SHA-1";
                    Add($"{(text ? "text" : "binary")} {hash.Name} over {document.Name}",
                        sha1 ? "XMB-704" : null,
                        m => new CaseFiles(document.Data, m.Gpg.Sign(m.Rsa.Signer, document.Data, text, hash.Gpg), m.Rsa.Export),
                        text && document.LoneCr && !sha1 ? Differences.LoneCrText : null);
                }
            }
        }
        Add("text over lone CR, served with CRLF there", "XMB-706", m =>
            new CaseFiles(LoneCrMadeCrlf(), m.Gpg.Sign(m.Rsa.Signer, CorpusMaterial.LoneCr, text: true, digest: "SHA256"), m.Rsa.Export));
        Add("ed25519, binary", null, m => new CaseFiles(m.Kernel, m.Gpg.Sign(m.Ed.Signer, m.Kernel), m.Ed.Export));
        Add("ed25519, text over LF", null, m => new CaseFiles(CorpusMaterial.Lf, m.Gpg.Sign(m.Ed.Signer, CorpusMaterial.Lf, text: true), m.Ed.Export));
        Add("armoured signature and armoured key file", null, m =>
            new CaseFiles(m.Kernel, m.Gpg.Sign(m.Rsa.Signer, m.Kernel, more: ["--armor"]), OpenPgpPackets.Armour(m.Rsa.Export, "PUBLIC KEY BLOCK")));
        Add("signing subkey", null, m => new CaseFiles(m.Kernel, m.SubSignature, m.Sub.Export));
        Add("one byte of the data flipped", "XMB-706", m => new CaseFiles(Flipped(m.Kernel), m.RsaSignature, m.Rsa.Export));
        Add("one byte of the signature's MPI flipped", "XMB-706", m => new CaseFiles(m.Kernel, CertEdit.EditSignature(m.RsaSignature, CertEdit.Flip), m.Rsa.Export));
        Add("unknown key", "XMB-705", m => new CaseFiles(m.Kernel, m.Gpg.Sign(m.Stranger.Fingerprint + "!", m.Kernel), m.Rsa.Export));

        // Data signatures: notations and subpackets, digests GnuPG will not sign with, a broken packet.
        Add("crafted data signature, as GnuPG makes it", null, m => new CaseFiles(m.Kernel, Data(m.Rsa.Primary, m), m.Rsa.Export));
        Add("data signature made with MD5", "XMB-704", m => new CaseFiles(m.Kernel, Data(m.Rsa.Primary, m, HashIds.Md5), m.Rsa.Export));
        Add("data signature made with RIPEMD-160", "XMB-704", m => new CaseFiles(m.Kernel, Data(m.Rsa.Primary, m, HashIds.Ripemd160), m.Rsa.Export));
        Add("critical notation in the data signature", "XMB-704", m =>
            new CaseFiles(m.Kernel, m.Gpg.Sign(m.Rsa.Signer, m.Kernel, more: ["--sig-notation", "!n@corpus.test=v"]), m.Rsa.Export));
        Add("notation, not critical, in the data signature", null, m =>
            new CaseFiles(m.Kernel, m.Gpg.Sign(m.Rsa.Signer, m.Kernel, more: ["--sig-notation", "n@corpus.test=v"]), m.Rsa.Export));
        Add("unknown critical subpacket in the data signature", "XMB-704", m =>
            new CaseFiles(m.Kernel, Data(m.Rsa.Primary, m, hashed: [Subpackets.Make(UnknownSubpacket, [1, 2, 3], critical: true)]), m.Rsa.Export));
        Add("unknown subpacket, not critical, in the data sig", null, m =>
            new CaseFiles(m.Kernel, Data(m.Rsa.Primary, m, hashed: [Subpackets.Make(UnknownSubpacket, [1, 2, 3])]), m.Rsa.Export));
        Add("issuer named by fingerprint only", null, m => new CaseFiles(m.Kernel, Data(m.Rsa.Primary, m, issuer: Issuer.Fingerprint), m.Rsa.Export));
        Add("issuer named by key id only", null, m => new CaseFiles(m.Kernel, Data(m.Rsa.Primary, m, issuer: Issuer.KeyId), m.Rsa.Export));
        // No issuer subpacket at all: sqv 1.1.0 panics on it (an unwrap of None), which counts as a refusal.
        Add("issuer not named", "XMB-704", m => new CaseFiles(m.Kernel, Data(m.Rsa.Primary, m, issuer: Issuer.None), m.Rsa.Export));
        Add("signature packet of version 0xFF", "XMB-704", m =>
            new CaseFiles(m.Kernel, CertEdit.EditSignature(m.RsaSignature, body => [0xFF, .. body[1..]]), m.Rsa.Export));
        Add("two good signatures in one file", "XMB-704", m =>
            new CaseFiles(m.Kernel, [.. m.RsaSignature, .. m.Gpg.Sign(m.Rsa.Signer, m.Kernel, digest: "SHA256")], m.Rsa.Export), Differences.OneSignature);
        Add("signature packet cut short", "XMB-704", m => new CaseFiles(m.Kernel, m.RsaSignature[..^40], m.Rsa.Export));

        // Dates: of the key, of the signature.
        Add("expired key, signed while it was valid", "XMB-707", m =>
            new CaseFiles(m.Kernel, m.Gpg.Sign(m.Expired.Signer, m.Kernel, at: CorpusMaterial.ExpiredKeySigned), m.Expired.Export), Differences.ExpiredNow);
        Add("expired key, signed after it expired", "XMB-707", m => new CaseFiles(m.Kernel, Data(m.Expired.Primary, m), m.Expired.Export));
        Add("key from the future", "XMB-709", m =>
            new CaseFiles(m.Kernel, m.Gpg.Sign(m.Future.Signer, m.Kernel, at: m.Later.AddHours(1)), m.Future.Export));
        Add("signature older than its key", "XMB-709", m => new CaseFiles(m.Kernel, Data(m.Future.Primary, m), m.Future.Export));
        Add("signature from the future", "XMB-709", m => new CaseFiles(m.Kernel, m.Gpg.Sign(m.Rsa.Signer, m.Kernel, at: m.Later), m.Rsa.Export));
        Add("signature 10 minutes in the future", "XMB-709", m => new CaseFiles(m.Kernel, m.Gpg.Sign(m.Rsa.Signer, m.Kernel, at: m.Now.AddMinutes(10)), m.Rsa.Export));
        Add("signature 3 minutes in the future", null, m =>
            new CaseFiles(m.Kernel, m.Gpg.Sign(m.Rsa.Signer, m.Kernel, at: m.Now.AddMinutes(3)), m.Rsa.Export), Differences.ClockLeeway);
        Add("expired signature", "XMB-709", m =>
            new CaseFiles(m.Kernel, m.Gpg.Sign(m.Rsa.Signer, m.Kernel, at: m.BeforeChange, more: ["--default-sig-expire", "1d"]), m.Rsa.Export));

        // Revocations: GnuPG's certificate (no reason: hard), and soft and hard ones dated three days
        // ago, before or after the signature.
        Add("revoked key (GnuPG's revocation certificate)", "XMB-708", m => new CaseFiles(m.Kernel, m.RsaSignature, RsaRevokedByGnuPg(m)));
        Add("revoked as retired (soft) before the signature", "XMB-708", m =>
            new CaseFiles(m.Kernel, m.RsaSignature, RsaRevoked(m, 0x03, "retired")));
        Add("revoked as superseded (soft) after the signature", "XMB-708", m =>
            new CaseFiles(m.Kernel, m.Gpg.Sign(m.Rsa.Signer, m.Kernel, at: m.BeforeChange), RsaRevoked(m, 0x01, "superseded")), Differences.RevokedNow);
        Add("revoked as compromised (hard) after the signature", "XMB-708", m =>
            new CaseFiles(m.Kernel, m.Gpg.Sign(m.Rsa.Signer, m.Kernel, at: m.BeforeChange), RsaRevoked(m, 0x02, "compromised")));
        Add("signing subkey revoked", "XMB-708", m => new CaseFiles(m.Kernel, m.SubSignature, SubkeyRevoked(m)));
        Add("revocation mutated: it does not count", null, m =>
            new CaseFiles(m.Kernel, m.RsaSignature, CertEdit.Write(CertEdit.InsertAfter(m.Rsa.Packets(), 0, CertEdit.Flip(m.Gpg.RevocationCertificate(m.Rsa.Fingerprint))))));
        Add("revocation made by another key: it does not count", null, m =>
        {
            var packets = m.Rsa.Packets();
            var revocation = m.Old.Primary.Sign(KeyRevocation, Contexts.Key(packets[0]), m.Change, hashed: [Subpackets.Reason(0x02, "compromised")]);
            return new CaseFiles(m.Kernel, m.RsaSignature, CertEdit.Write(CertEdit.InsertAfter(packets, 0, revocation)));
        });

        // Usage: keys whose flags do not allow signing.
        Add("certify-only primary key signs data", "XMB-711", m => new CaseFiles(m.Kernel, Data(m.Sub.Primary, m), m.Sub.Export));
        Add("encryption subkey signs data", "XMB-711", m => new CaseFiles(m.Kernel, Data(m.Sub.Key(m.SubEncryption), m), m.Sub.Export));
        Add("usage changed to certify-only", "XMB-711", m =>
            new CaseFiles(m.Kernel, m.RsaSignature, RsaWithSelfSignature(m, m.Change, replace: false, Subpackets.KeyFlags(Subpackets.KeyFlagsCertify))));
        Add("usage changed to encrypt-only", "XMB-711", m =>
            new CaseFiles(m.Kernel, m.RsaSignature, RsaWithSelfSignature(m, m.Change, replace: false, Subpackets.KeyFlags(Subpackets.KeyFlagsEncrypt))));
        Add("self-signature without key flags", "XMB-711", m =>
            new CaseFiles(m.Kernel, m.RsaSignature, RsaWithSelfSignature(m, m.Change, replace: true)));

        // The primary key's certification: mutated, missing, made so that it does not count.
        Add("self-signature crafted as GnuPG makes it", null, m =>
            new CaseFiles(m.Kernel, m.RsaSignature, RsaWithSelfSignature(m, m.Change, replace: true, SignAndCertify)));
        Add("self-signature mutated", "XMB-710", m =>
        {
            var packets = m.Rsa.Packets();
            var at = CertEdit.SignatureAfter(packets, CertEdit.UserIdIndex(packets), UserIdCertification);
            return new CaseFiles(m.Kernel, m.RsaSignature, CertEdit.Write(CertEdit.Replace(packets, at, CertEdit.Flip(packets[at]))));
        });
        Add("self-signature missing", "XMB-710", m =>
        {
            var packets = m.Rsa.Packets();
            packets.RemoveAt(CertEdit.SignatureAfter(packets, CertEdit.UserIdIndex(packets), UserIdCertification));
            return new CaseFiles(m.Kernel, m.RsaSignature, CertEdit.Write(packets));
        });
        Add("unknown critical subpacket in the self-signature", "XMB-710", m =>
            new CaseFiles(m.Kernel, m.RsaSignature, RsaWithSelfSignature(m, m.Change, replace: true, SignAndCertify, Subpackets.Make(UnknownSubpacket, [1], critical: true))));
        Add("critical notation in the self-signature", "XMB-710", m =>
            new CaseFiles(m.Kernel, m.RsaSignature, RsaWithSelfSignature(m, m.Change, replace: true, SignAndCertify, Subpackets.Notation("n@corpus.test", "v", critical: true))));
        Add("newer self-signature, broken, says certify-only", null, m =>
            new CaseFiles(m.Kernel, m.RsaSignature, WithSelfSignature(m.Rsa, m.Change, replace: false, HashIds.Sha256, broken: true, Subpackets.KeyFlags(Subpackets.KeyFlagsCertify))));
        Add("self-signature made with SHA-1, now", "XMB-710", m =>
            new CaseFiles(m.Kernel, m.RsaSignature, RsaWithSelfSignature(m, m.Change, replace: true, hash: HashIds.Sha1, SignAndCertify)));
        // sqv refuses a SHA-1 self-signature whatever its date (Sequoia's cut-off for SHA-1 where
        // second pre-image resistance is enough is 2023-02-01, applied as of now): a key certified
        // only so is no key.
        Add("self-signature made with SHA-1 in 2020", "XMB-710", m =>
        {
            var packets = m.Old.Packets();
            var userId = CertEdit.UserIdIndex(packets);
            var certification = m.Old.Primary.Sign(UserIdCertification, Contexts.UserId(packets[0], packets[userId]), CorpusMaterial.OldSelfSignature, HashIds.Sha1, [SignAndCertify, Subpackets.GnuPgPreferences()]);
            return new CaseFiles(m.Kernel, m.OldSignature, CertEdit.Write(CertEdit.Replace(packets, CertEdit.SignatureAfter(packets, userId, UserIdCertification), certification)));
        });
        Add("only a direct-key self-signature, no user ID", null, m =>
        {
            var primary = m.Rsa.Packets()[0];
            var direct = m.Rsa.Primary.Sign(DirectKey, Contexts.Key(primary), m.Change, hashed: [SignAndCertify, Subpackets.GnuPgPreferences()]);
            return new CaseFiles(m.Kernel, m.RsaSignature, CertEdit.Write([primary, direct]));
        });

        // Subkeys: bound by another key, or not at all; bindings and back-signatures broken.
        Add("subkey of another key appended, unbound", "XMB-710", m => new CaseFiles(m.Kernel, m.Gpg.Sign(m.Stranger.Signer, m.Kernel), RsaWithStrangerSubkey(m, withBinding: false)));
        Add("subkey appended, bound by another primary", "XMB-710", m => new CaseFiles(m.Kernel, m.Gpg.Sign(m.Stranger.Signer, m.Kernel), RsaWithStrangerSubkey(m, withBinding: true)));
        Add("binding crafted as GnuPG makes it", null, m => new CaseFiles(m.Kernel, m.SubSignature, SubWithBinding(m, BindingShape.AsGnuPg)));
        Add("binding mutated", "XMB-710", m =>
        {
            var packets = m.Sub.Packets();
            var at = CertEdit.SignatureAfter(packets, CertEdit.KeyIndex(packets, m.SubSigning), SubkeyBinding);
            return new CaseFiles(m.Kernel, m.SubSignature, CertEdit.Write(CertEdit.Replace(packets, at, CertEdit.Flip(packets[at]))));
        });
        Add("binding missing", "XMB-710", m =>
        {
            var packets = m.Sub.Packets();
            packets.RemoveAt(CertEdit.SignatureAfter(packets, CertEdit.KeyIndex(packets, m.SubSigning), SubkeyBinding));
            return new CaseFiles(m.Kernel, m.SubSignature, CertEdit.Write(packets));
        });
        Add("signing subkey without back-signature", "XMB-710", m => new CaseFiles(m.Kernel, m.SubSignature, SubWithBinding(m, BindingShape.NoBackSignature)));
        Add("back-signature mutated", "XMB-710", m => new CaseFiles(m.Kernel, m.SubSignature, SubWithBinding(m, BindingShape.BackSignatureMutated)));
        Add("back-signature in the unhashed area", null, m => new CaseFiles(m.Kernel, m.SubSignature, SubWithBinding(m, BindingShape.BackSignatureUnhashed)));
        // A newer binding or self-signature that does not verify changes nothing: taken without
        // its check, it would make the key encrypt- or certify-only.
        Add("newer binding, broken, says encrypt-only", null, m =>
            new CaseFiles(m.Kernel, m.SubSignature, SubWithBinding(m, BindingShape.Mutated, replace: false, Subpackets.KeyFlagsEncrypt)));
        Add("signing subkey expired (its binding)", "XMB-707", m =>
            new CaseFiles(m.Kernel, m.SubSignature, SubWithBinding(m, BindingShape.AsGnuPg, Subpackets.KeyExpires(TimeSpan.FromDays(1)))));
        Add("primary expired, its subkey signs", "XMB-707", m =>
            new CaseFiles(m.Kernel, m.SubSignature, WithSelfSignature(m.Sub, m.Change, replace: false, HashIds.Sha256, broken: false, Subpackets.KeyFlags(Subpackets.KeyFlagsCertify), Subpackets.KeyExpires(TimeSpan.FromDays(1)))));
        Add("critical notation in the binding", "XMB-710", m =>
            new CaseFiles(m.Kernel, m.SubSignature, SubWithBinding(m, BindingShape.AsGnuPg, Subpackets.Notation("n@corpus.test", "v", critical: true))));
        Add("unknown critical subpacket in the binding", "XMB-710", m =>
            new CaseFiles(m.Kernel, m.SubSignature, SubWithBinding(m, BindingShape.AsGnuPg, Subpackets.Make(UnknownSubpacket, [1], critical: true))));

        // Two copies of one key, an old export and a new one: in one file or two, in either order.
        (string Name, string? Code, Func<CorpusMaterial, (byte[] Old, byte[] New, byte[] Signature)> Copies)[] changes =
        [
            ("subkey revoked", "XMB-708", m => (m.Sub.Export, SubkeyRevoked(m), m.SubSignature)),
            ("primary revoked", "XMB-708", m => (m.Rsa.Export, RsaRevokedByGnuPg(m), m.RsaSignature)),
            ("expiry shortened", "XMB-707", m => (m.ShortenedOld, m.ShortenedNew, m.ShortenedSignature)),
            ("expiry extended", null, m => (m.ExtendedOld, m.ExtendedNew, m.ExtendedSignature)),
        ];
        foreach (var change in changes)
        {
            CaseFiles Files(CorpusMaterial m, Func<byte[], byte[], byte[][]> keys)
            {
                var (old, @new, signature) = change.Copies(m);
                return new CaseFiles(m.Kernel, signature, keys(old, @new));
            }
            Add($"{change.Name}: old+new in one file", change.Code, m => Files(m, (o, n) => [[.. o, .. n]]));
            Add($"{change.Name}: new+old in one file", change.Code, m => Files(m, (o, n) => [[.. n, .. o]]));
            Add($"{change.Name}: old, new as two files", change.Code, m => Files(m, (o, n) => [o, n]));
            Add($"{change.Name}: new, old as two files", change.Code, m => Files(m, (o, n) => [n, o]));
        }
        Add("expiry extended: the old export alone", "XMB-707", m => new CaseFiles(m.Kernel, m.ExtendedSignature, m.ExtendedOld));

        // Key files that are not sound OpenPGP.
        Add("key file: key packet of version 0xFF", "XMB-702", m =>
        {
            var packets = m.Rsa.Packets();
            return new CaseFiles(m.Kernel, m.RsaSignature, CertEdit.Write(CertEdit.Replace(packets, 0, packets[0] with { Body = [0xFF, .. packets[0].Body[1..]] })));
        });
        Add("key file cut short", "XMB-702", m => new CaseFiles(m.Kernel, m.RsaSignature, m.Rsa.Export[..^40]));

        foreach (var c in cases)
        {
            if (c.Name.Length > 50) throw new InvalidOperationException($"corpus case name over 50 characters: {c.Name}");
        }
        if (cases.Select(c => c.Name).Distinct().Count() != cases.Count) throw new InvalidOperationException("two corpus cases of one name");
        return cases;
    }

    private static byte[] SignAndCertify => Subpackets.KeyFlags(Subpackets.KeyFlagsCertify | Subpackets.KeyFlagsSign);

    /// <summary>The lone-CR document with that CR made a CRLF: what a text signature over it must not cover.</summary>
    private static byte[] LoneCrMadeCrlf() =>
        System.Text.Encoding.ASCII.GetBytes(System.Text.Encoding.ASCII.GetString(CorpusMaterial.LoneCr).Replace("50\rstill", "50\r\nstill", StringComparison.Ordinal));

    private static byte[] Flipped(byte[] data)
    {
        var copy = (byte[])data.Clone();
        copy[copy.Length / 2] ^= 0x01;
        return copy;
    }

    /// <summary>A binary data signature of the kernel, crafted, dated now.</summary>
    private static byte[] Data(CraftingKey key, CorpusMaterial m, int hash = HashIds.Sha256, IEnumerable<byte[]>? hashed = null, Issuer issuer = Issuer.Both) =>
        CertEdit.Write([key.Sign(Binary, Contexts.Document(m.Kernel), m.Now, hash, hashed, issuer: issuer)]);

    /// <summary>The RSA key with GnuPG's revocation certificate (reason: none given) after the primary key.</summary>
    private static byte[] RsaRevokedByGnuPg(CorpusMaterial m) =>
        CertEdit.Write(CertEdit.InsertAfter(m.Rsa.Packets(), 0, m.Gpg.RevocationCertificate(m.Rsa.Fingerprint)));

    /// <summary>The RSA key revoked three days ago for <paramref name="reason"/>.</summary>
    private static byte[] RsaRevoked(CorpusMaterial m, int reason, string text)
    {
        var packets = m.Rsa.Packets();
        var revocation = m.Rsa.Primary.Sign(KeyRevocation, Contexts.Key(packets[0]), m.Change, hashed: [Subpackets.Reason(reason, text)]);
        return CertEdit.Write(CertEdit.InsertAfter(packets, 0, revocation));
    }

    /// <summary>The subkey key with its signing subkey revoked three days ago (compromised), after the binding.</summary>
    private static byte[] SubkeyRevoked(CorpusMaterial m)
    {
        var packets = m.Sub.Packets();
        var subkey = CertEdit.KeyIndex(packets, m.SubSigning);
        var revocation = m.Sub.Primary.Sign(SubkeyRevocation, Contexts.Binding(packets[0], packets[subkey]), m.Change, hashed: [Subpackets.Reason(0x02, "compromised")]);
        return CertEdit.Write(CertEdit.InsertAfter(packets, CertEdit.SignatureAfter(packets, subkey, SubkeyBinding), revocation));
    }

    /// <summary>
    /// The RSA key with a user-ID certification crafted at <paramref name="at"/> from
    /// <paramref name="hashed"/> and GnuPG's preferences: in place of GnuPG's, or after it (newer).
    /// </summary>
    private static byte[] RsaWithSelfSignature(CorpusMaterial m, DateTimeOffset at, bool replace, params byte[][] hashed) =>
        WithSelfSignature(m.Rsa, at, replace, HashIds.Sha256, broken: false, hashed);

    private static byte[] RsaWithSelfSignature(CorpusMaterial m, DateTimeOffset at, bool replace, int hash, params byte[][] hashed) =>
        WithSelfSignature(m.Rsa, at, replace, hash, broken: false, hashed);

    /// <summary>
    /// <paramref name="key"/> with a user-ID certification crafted at <paramref name="at"/> from
    /// <paramref name="hashed"/> and GnuPG's preferences (one byte of its MPI changed when
    /// <paramref name="broken"/>): in place of GnuPG's, or after it (newer).
    /// </summary>
    private static byte[] WithSelfSignature(CorpusKey key, DateTimeOffset at, bool replace, int hash, bool broken, params byte[][] hashed)
    {
        var packets = key.Packets();
        var userId = CertEdit.UserIdIndex(packets);
        var certification = key.Primary.Sign(UserIdCertification, Contexts.UserId(packets[0], packets[userId]), at, hash, [.. hashed, Subpackets.GnuPgPreferences()]);
        if (broken) certification = CertEdit.Flip(certification);
        var existing = CertEdit.SignatureAfter(packets, userId, UserIdCertification);
        return CertEdit.Write(replace ? CertEdit.Replace(packets, existing, certification) : CertEdit.InsertAfter(packets, existing, certification));
    }

    /// <summary>The RSA key with the stranger's signing subkey appended, with or without the stranger's binding of it.</summary>
    private static byte[] RsaWithStrangerSubkey(CorpusMaterial m, bool withBinding)
    {
        var stranger = m.Stranger.Packets();
        var subkey = CertEdit.KeyIndex(stranger, m.StrangerSubkey);
        var binding = CertEdit.SignatureAfter(stranger, subkey, SubkeyBinding);
        return CertEdit.Write([.. m.Rsa.Packets(), stranger[subkey], .. withBinding ? [stranger[binding]] : Array.Empty<Packet>()]);
    }

    private enum BindingShape
    {
        AsGnuPg,
        NoBackSignature,
        BackSignatureMutated,
        BackSignatureUnhashed,
        Mutated,
    }

    /// <summary>The subkey key with the signing subkey's binding crafted (three days ago) in place of GnuPG's.</summary>
    private static byte[] SubWithBinding(CorpusMaterial m, BindingShape shape, params byte[][] more) =>
        SubWithBinding(m, shape, replace: true, Subpackets.KeyFlagsSign, more);

    /// <summary>
    /// The subkey key with a binding of its signing subkey crafted three days ago, with key flags
    /// <paramref name="flags"/>: in place of GnuPG's, or after it (newer).
    /// </summary>
    private static byte[] SubWithBinding(CorpusMaterial m, BindingShape shape, bool replace, int flags, params byte[][] more)
    {
        var packets = m.Sub.Packets();
        var at = CertEdit.KeyIndex(packets, m.SubSigning);
        var context = Contexts.Binding(packets[0], packets[at]);
        var back = m.Sub.Key(m.SubSigning).SignBody(BackSignature, context, m.Change);
        if (shape == BindingShape.BackSignatureMutated) back = CertEdit.Flip(back);
        List<byte[]> hashed = [Subpackets.KeyFlags(flags)];
        List<byte[]> unhashed = [];
        if (shape is BindingShape.AsGnuPg or BindingShape.BackSignatureMutated or BindingShape.Mutated) hashed.Add(Subpackets.Embedded(back));
        if (shape == BindingShape.BackSignatureUnhashed) unhashed.Add(Subpackets.Embedded(back));
        hashed.AddRange(more);
        var binding = m.Sub.Primary.Sign(SubkeyBinding, context, m.Change, hashed: hashed, unhashed: unhashed);
        if (shape == BindingShape.Mutated) binding = CertEdit.Flip(binding);
        var existing = CertEdit.SignatureAfter(packets, at, SubkeyBinding);
        return CertEdit.Write(replace ? CertEdit.Replace(packets, existing, binding) : CertEdit.InsertAfter(packets, existing, binding));
    }
}
