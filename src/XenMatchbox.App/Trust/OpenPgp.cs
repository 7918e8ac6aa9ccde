using System.Security.Cryptography;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// The operator's OpenPGP public keys from the files one flag names (<c>gpg --export</c>, binary or
/// armoured; several keys and files add up), read as root before any privilege drop. Every
/// self-signature, binding and back-signature is checked here (the mathematics only); what each says
/// goes to the Domain as <see cref="Trust.Certificate"/>, which merges the copies of each key and
/// decides which keys are valid. The keys themselves stay here for the cryptography.
/// </summary>
internal sealed class KeyRing
{
    private readonly Dictionary<string, PgpPublicKey> byFingerprint;

    private KeyRing(string flag, Trust.Keyring keys, Dictionary<string, PgpPublicKey> byFingerprint)
    {
        Flag = flag;
        Keys = keys;
        this.byFingerprint = byFingerprint;
    }

    /// <summary>The flag that names the files, for messages (--lookup-key, --asset-key).</summary>
    public string Flag { get; }

    /// <summary>Every certificate of the files, merged, as the Domain judges them.</summary>
    public Trust.Keyring Keys { get; }

    /// <summary>
    /// Reads the files; a file that cannot be read is XMB-701, one that is not OpenPGP public key
    /// data (whatever its bytes) XMB-702.
    /// </summary>
    public static KeyRing Load(string flag, IEnumerable<string> files)
    {
        var certificates = new List<Trust.Certificate>();
        var byFingerprint = new Dictionary<string, PgpPublicKey>(StringComparer.Ordinal);
        foreach (var path in files)
        {
            var rings = ReadRings(flag, path);
            if (rings.Count == 0)
            {
                throw new BootFailure(TrustError.NewKeyFileRejected(flag, path, "it holds no key"));
            }
            foreach (var ring in rings)
            {
                try
                {
                    certificates.Add(Certified(ring, byFingerprint));
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    throw new BootFailure(TrustError.NewKeyFileRejected(flag, path, $"it is not OpenPGP key data ({e.Message})"));
                }
            }
        }
        return new KeyRing(flag, Trust.keyring(ListModule.OfSeq(certificates)), byFingerprint);
    }

    /// <summary>The public key with this fingerprint (the Domain chose it from <see cref="Keys"/>).</summary>
    public PgpPublicKey Find(string fingerprint) => byFingerprint[fingerprint];

    private static List<PgpPublicKeyRing> ReadRings(string flag, string path)
    {
        byte[] bytes;
        try
        {
            bytes = BoundedFile.Read(path, Trust.MaxKeyFileBytes);
        }
        catch (FileTooLargeException e)
        {
            throw new BootFailure(TrustError.NewKeyFileUnreadable(flag, path, $"{e.Message}; an exported public key is a few KiB"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BootFailure(TrustError.NewKeyFileUnreadable(flag, path, e.Message));
        }
        var rings = new List<PgpPublicKeyRing>();
        try
        {
            using var decoded = PgpUtilities.GetDecoderStream(new MemoryStream(bytes));
            var factory = new PgpObjectFactory(decoded);
            while (factory.NextPgpObject() is { } item)
            {
                rings.Add(item switch
                {
                    PgpPublicKeyRing ring => ring,
                    PgpSecretKeyRing => throw new BootFailure(TrustError.NewKeyFileRejected(flag, path, "it is a secret key; give only the public key")),
                    _ => throw new BootFailure(TrustError.NewKeyFileRejected(flag, path, $"it holds {item.GetType().Name}, not a public key")),
                });
            }
        }
        catch (Exception e) when (e is not (BootFailure or OperationCanceledException))
        {
            // Whatever the parser trips over (a truncated packet, an unknown version, bad armour).
            throw new BootFailure(TrustError.NewKeyFileRejected(flag, path, $"it is not OpenPGP key data ({e.Message})"));
        }
        return rings;
    }

    /// <summary>One transferable key as the Domain reads it, each signature on it checked.</summary>
    private static Trust.Certificate Certified(PgpPublicKeyRing ring, Dictionary<string, PgpPublicKey> byFingerprint)
    {
        var primary = ring.GetPublicKey();
        var primaryPart = Certification.KeyPart(primary);
        var direct = primary.GetKeySignatures()
            .Where(s => s.SignatureType is PgpSignature.DirectKey or PgpSignature.KeyRevocation)
            .Select(s => Certification.Facts(s, primary, [primaryPart]));
        var userIds = primary.GetRawUserIds().Select(raw =>
        {
            var part = Certification.UserIdPart(raw);
            var signatures = primary.GetSignaturesForId(raw).Select(s => Certification.Facts(s, primary, [primaryPart, part]));
            return Tuple.Create(System.Text.Encoding.UTF8.GetString(raw), ListModule.OfSeq(signatures));
        });
        var subkeys = new List<Trust.SubkeyFacts>();
        foreach (var key in ring.GetPublicKeys().Where(k => !k.IsMasterKey))
        {
            var part = Certification.KeyPart(key);
            var signatures = key.GetKeySignatures().Select(s => Certification.Facts(s, primary, [primaryPart, part], key));
            subkeys.Add(new Trust.SubkeyFacts(Packet(key), ListModule.OfSeq(signatures)));
            byFingerprint.TryAdd(Convert.ToHexString(key.GetFingerprint()), key);
        }
        byFingerprint.TryAdd(Convert.ToHexString(primary.GetFingerprint()), primary);
        return new Trust.Certificate(Packet(primary), ListModule.OfSeq(direct), ListModule.OfSeq(userIds), ListModule.OfSeq(subkeys));
    }

    private static Trust.KeyPacket Packet(PgpPublicKey key) => new(
        unchecked((ulong)key.KeyId),
        Convert.ToHexString(key.GetFingerprint()),
        Certification.Utc(key.CreationTime),
        (int)key.Algorithm);
}

/// <summary>
/// The mathematics of signatures on keys (RFC 9580 §5.2.4, version 4): what each type hashes, the
/// digest checked against the signer's public key. Only version 4 signatures are checked; any other,
/// or one that the parser or the key cannot handle, simply does not verify.
/// </summary>
internal static class Certification
{
    /// <summary>A key as a certification hashes it: 0x99, two bytes of length, the key packet's body.</summary>
    public static byte[] KeyPart(PgpPublicKey key)
    {
        var body = key.PublicKeyPacket.GetEncodedContents();
        return [0x99, (byte)(body.Length >> 8), (byte)body.Length, .. body];
    }

    /// <summary>A user id as a certification hashes it: 0xB4, four bytes of length, its bytes.</summary>
    public static byte[] UserIdPart(byte[] raw) =>
        [0xB4, (byte)(raw.Length >> 24), (byte)(raw.Length >> 16), (byte)(raw.Length >> 8), (byte)raw.Length, .. raw];

    public static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));

    /// <summary>
    /// What a signature on a key says, with whether <paramref name="primary"/> made it over
    /// <paramref name="covered"/> (the primary key, then the user id or subkey it binds; a subkey's
    /// revocation covers both, like its binding). A subkey binding's back-signature is checked as
    /// made by <paramref name="subkey"/> over the same two keys.
    /// </summary>
    public static Trust.CertificationFacts Facts(PgpSignature signature, PgpPublicKey primary, byte[][] covered, PgpPublicKey? subkey = null)
    {
        FSharpOption<Trust.CertificationFacts> back = FSharpOption<Trust.CertificationFacts>.None;
        if (signature.SignatureType == PgpSignature.SubkeyBinding && subkey is not null)
        {
            var backSignature = BackSignatures(signature).FirstOrDefault(s => Verifies(s, subkey, covered))
                ?? BackSignatures(signature).FirstOrDefault();
            if (backSignature is not null)
            {
                back = Describe(backSignature, Verifies(backSignature, subkey, covered), FSharpOption<Trust.CertificationFacts>.None);
            }
        }
        return Describe(signature, Verifies(signature, primary, covered), back);
    }

    private static Trust.CertificationFacts Describe(PgpSignature signature, bool verified, FSharpOption<Trust.CertificationFacts> back)
    {
        var hashed = Hashed(signature);
        return new Trust.CertificationFacts(
            signature.SignatureType,
            Utc(signature.CreationTime),
            (int)signature.HashAlgorithm,
            verified,
            hashed is not null && hashed.HasKeyExpirationTime() ? FSharpOption<long>.Some(hashed.GetKeyExpirationTime()) : FSharpOption<long>.None,
            SignatureExpiresAfter(hashed),
            hashed is not null && hashed.HasSubpacket(SignatureSubpacketTag.KeyFlags) ? FSharpOption<int>.Some(hashed.GetKeyFlags()) : FSharpOption<int>.None,
            Critical(hashed),
            back);
    }

    /// <summary>The signature expiration time subpacket's seconds, as the packet says (Trust.expiry reads them).</summary>
    public static FSharpOption<long> SignatureExpiresAfter(PgpSignatureSubpacketVector? hashed) =>
        hashed is not null && hashed.HasSubpacket(SignatureSubpacketTag.ExpireTime)
            ? FSharpOption<long>.Some(hashed.GetSignatureExpirationTime())
            : FSharpOption<long>.None;

    /// <summary>The first critical subpacket of the hashed area whose meaning a verifier cannot know.</summary>
    public static FSharpOption<string> Critical(PgpSignatureSubpacketVector? hashed)
    {
        foreach (var tag in hashed?.GetCriticalTags() ?? [])
        {
            if (Trust.unknownCritical((int)tag) is { } unknown)
            {
                return unknown;
            }
        }
        return FSharpOption<string>.None;
    }

    public static PgpSignatureSubpacketVector? Hashed(PgpSignature signature)
    {
        try
        {
            return signature.GetHashedSubPackets();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>The back-signatures (0x19) embedded in a binding, in its hashed area or not: each is made by the subkey.</summary>
    private static List<PgpSignature> BackSignatures(PgpSignature binding)
    {
        var found = new List<PgpSignature>();
        foreach (var area in new Func<PgpSignatureSubpacketVector?>[] { () => Hashed(binding), binding.GetUnhashedSubPackets })
        {
            try
            {
                if (area() is { } vector)
                {
                    var embedded = vector.GetEmbeddedSignatures();
                    for (var i = 0; i < embedded.Count; i++)
                    {
                        if (embedded[i].SignatureType == PgpSignature.PrimaryKeyBinding) found.Add(embedded[i]);
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A malformed embedded signature is no back-signature.
            }
        }
        return found;
    }

    /// <summary>Whether <paramref name="signer"/> made <paramref name="signature"/> over <paramref name="covered"/>.</summary>
    private static bool Verifies(PgpSignature signature, PgpPublicKey signer, byte[][] covered)
    {
        try
        {
            if (signature.Version != 4 || Digest.For(signature.HashAlgorithm) is not { } digest)
            {
                return false;
            }
            using (digest)
            {
                foreach (var part in covered)
                {
                    digest.Append(part);
                }
                digest.Append(signature.GetSignatureTrailer());
                return SignatureMath.Verifies(signer, signature, digest.Finish());
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return false;
        }
    }
}

/// <summary>
/// A digest by OpenPGP's algorithm id: the platform's (OpenSSL, SHA-NI where the processor has it)
/// for SHA-256/384/512, SHA-1 and SHA3; BouncyCastle's for SHA-224 and RIPEMD-160.
/// </summary>
internal sealed class Digest : IDisposable
{
    private readonly IncrementalHash? platform;
    private readonly IDigest? managed;

    private Digest(IncrementalHash? platform, IDigest? managed, HashAlgorithmName? name)
    {
        this.platform = platform;
        this.managed = managed;
        Name = name;
    }

    /// <summary>The platform's name for the digest, for RSA; null for a managed one.</summary>
    public HashAlgorithmName? Name { get; }

    public static Digest? For(HashAlgorithmTag tag)
    {
        HashAlgorithmName? name = tag switch
        {
            HashAlgorithmTag.Sha256 => HashAlgorithmName.SHA256,
            HashAlgorithmTag.Sha384 => HashAlgorithmName.SHA384,
            HashAlgorithmTag.Sha512 => HashAlgorithmName.SHA512,
            HashAlgorithmTag.Sha1 => HashAlgorithmName.SHA1,
            HashAlgorithmTag.Sha3_256 when SHA3_256.IsSupported => HashAlgorithmName.SHA3_256,
            HashAlgorithmTag.Sha3_512 when SHA3_512.IsSupported => HashAlgorithmName.SHA3_512,
            _ => null,
        };
        if (name is { } platform)
        {
            return new Digest(IncrementalHash.CreateHash(platform), null, platform);
        }
        IDigest? managed = tag switch
        {
            HashAlgorithmTag.Sha224 => new Sha224Digest(),
            HashAlgorithmTag.RipeMD160 => new RipeMD160Digest(),
            _ => null,
        };
        return managed is null ? null : new Digest(null, managed, null);
    }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (platform is not null)
        {
            platform.AppendData(bytes);
        }
        else
        {
            managed!.BlockUpdate(bytes);
        }
    }

    public byte[] Finish()
    {
        if (platform is not null)
        {
            return platform.GetHashAndReset();
        }
        var result = new byte[managed!.GetDigestSize()];
        managed.DoFinal(result, 0);
        return result;
    }

    public void Dispose() => platform?.Dispose();
}

/// <summary>
/// A signature's value checked against a digest, by the key's algorithm: RSA (PKCS #1 v1.5, the
/// platform's), DSA, ECDSA and EdDSA over Ed25519 (BouncyCastle's). OpenPGP signs the digest, so
/// whoever hashed the bytes, this is the one check of the value.
/// </summary>
internal static class SignatureMath
{
    public static bool Verifies(PgpPublicKey key, PgpSignature signature, byte[] digest)
    {
        using var encoded = new BcpgInputStream(new MemoryStream(signature.GetEncoded()));
        var packet = (SignaturePacket)encoded.ReadPacket();
        var values = packet.GetSignature();
        switch (key.Algorithm)
        {
            case PublicKeyAlgorithmTag.RsaGeneral or PublicKeyAlgorithmTag.RsaSign when values is { Length: 1 }:
                return Rsa(key, signature.HashAlgorithm, values[0].Value.ToByteArrayUnsigned(), digest);
            case PublicKeyAlgorithmTag.Dsa when values is { Length: 2 }:
                var dsa = new DsaSigner();
                dsa.Init(false, key.GetKey());
                return dsa.VerifySignature(digest, values[0].Value, values[1].Value);
            case PublicKeyAlgorithmTag.ECDsa when values is { Length: 2 }:
                var ecdsa = new ECDsaSigner();
                ecdsa.Init(false, key.GetKey());
                return ecdsa.VerifySignature(digest, values[0].Value, values[1].Value);
            case PublicKeyAlgorithmTag.EdDsa_Legacy or PublicKeyAlgorithmTag.Ed25519 when key.GetKey() is Ed25519PublicKeyParameters ed25519:
                var value = values is { Length: 2 }
                    ? [.. Padded(values[0].Value.ToByteArrayUnsigned(), 32), .. Padded(values[1].Value.ToByteArrayUnsigned(), 32)]
                    : packet.GetSignatureBytes();
                if (value is not { Length: 64 }) return false;
                var signer = new Ed25519Signer();
                signer.Init(false, ed25519);
                signer.BlockUpdate(digest, 0, digest.Length);
                return signer.VerifySignature(value);
            default:
                return false;
        }
    }

    private static byte[] Padded(byte[] value, int length) =>
        value.Length >= length ? value : [.. new byte[length - value.Length], .. value];

    /// <summary>PKCS #1 v1.5 over the digest, as OpenPGP's RSA signatures are made.</summary>
    private static bool Rsa(PgpPublicKey key, HashAlgorithmTag hash, byte[] value, byte[] digest)
    {
        var rsaKey = (RsaPublicBcpgKey)key.PublicKeyPacket.Key;
        var modulus = rsaKey.Modulus.ToByteArrayUnsigned();
        // The MPI drops leading zero bytes; the signature is as long as the modulus.
        if (value.Length > modulus.Length)
        {
            return false;
        }
        var padded = Padded(value, modulus.Length);
        if (hash == HashAlgorithmTag.Sha224)
        {
            var managed = new RsaDigestSigner(new NullDigest(), NistObjectIdentifiers.IdSha224);
            managed.Init(false, new RsaKeyParameters(false, rsaKey.Modulus, rsaKey.PublicExponent));
            managed.BlockUpdate(digest, 0, digest.Length);
            return managed.VerifySignature(padded);
        }
        HashAlgorithmName? name = hash switch
        {
            HashAlgorithmTag.Sha256 => HashAlgorithmName.SHA256,
            HashAlgorithmTag.Sha384 => HashAlgorithmName.SHA384,
            HashAlgorithmTag.Sha512 => HashAlgorithmName.SHA512,
            HashAlgorithmTag.Sha1 => HashAlgorithmName.SHA1,
            HashAlgorithmTag.Sha3_256 => HashAlgorithmName.SHA3_256,
            HashAlgorithmTag.Sha3_512 => HashAlgorithmName.SHA3_512,
            _ => null,
        };
        if (name is not { } platform)
        {
            return false;
        }
        using var rsa = RSA.Create();
        rsa.ImportParameters(new RSAParameters { Modulus = modulus, Exponent = rsaKey.PublicExponent.ToByteArrayUnsigned() });
        return rsa.VerifyHash(digest, padded, platform, RSASignaturePadding.Pkcs1);
    }
}

/// <summary>
/// One detached signature being checked against the bytes it covers, fed as they arrive (hash as
/// you write): the Domain chose the key and judged the dates. The bytes are hashed here, a text
/// signature's after the Domain's canonicalisation (as GnuPG and as Go's openpgp hash text; either
/// form may match), then the signature's trailer, and the value is checked once against the digest.
/// </summary>
internal sealed class SignatureCheck : IDisposable
{
    private readonly PgpSignature signature;
    private readonly PgpPublicKey key;
    private Stream[] streams = [];

    private SignatureCheck(Signed signed, Trust.Signer signer, string record, PgpSignature signature, PgpPublicKey key)
    {
        Signed = signed;
        Signer = signer;
        Record = record;
        this.signature = signature;
        this.key = key;
    }

    /// <summary>What the signature vouches for.</summary>
    public Signed Signed { get; }

    /// <summary>The key that signed, as the Domain names it.</summary>
    public Trust.Signer Signer { get; }

    /// <summary>What a cache entry verified by this signature records (Trust.record).</summary>
    public string Record { get; }

    /// <summary>When the signature was made, as its packet says (Trust.checkAge judges a lookup's).</summary>
    public DateTimeOffset Created => new(DateTime.SpecifyKind(signature.CreationTime, DateTimeKind.Utc));

    /// <summary>
    /// Reads a detached signature (binary or armoured) and lets the Domain judge it against the
    /// keys at <paramref name="now"/>: XMB-704 when it is no signature (whatever its bytes),
    /// XMB-705, 707 to 711 as Trust.choose says.
    /// </summary>
    public static SignatureCheck Prepare(Signed signed, string signatureAt, byte[] bytes, KeyRing keys, DateTimeOffset now)
    {
        var signature = ReadSignature(signed, signatureAt, bytes);
        Trust.Signature facts;
        try
        {
            var hashed = signature.GetHashedSubPackets();
            var fingerprint = hashed?.GetIssuerFingerprint() ?? signature.GetUnhashedSubPackets()?.GetIssuerFingerprint();
            facts = new Trust.Signature(
                signature.SignatureType,
                signature.KeyId != 0 ? FSharpOption<ulong>.Some(unchecked((ulong)signature.KeyId)) : FSharpOption<ulong>.None,
                fingerprint is null ? FSharpOption<string>.None : FSharpOption<string>.Some(Convert.ToHexString(fingerprint.GetFingerprint())),
                (int)signature.HashAlgorithm,
                Certification.Utc(signature.CreationTime),
                Certification.SignatureExpiresAfter(hashed),
                Certification.Critical(hashed));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new BootFailure(TrustError.NewSignatureUnreadable(signed, signatureAt, $"it is not OpenPGP ({e.Message})"));
        }
        if (signature.Version != 4)
        {
            throw new BootFailure(TrustError.NewSignatureUnreadable(signed, signatureAt, $"it is a version {signature.Version} signature; sign again with a current OpenPGP implementation (version 4)"));
        }
        var signer = Trust.choose(now, signed, signatureAt, keys.Flag, keys.Keys, facts).OrFail();
        var digest = Convert.ToHexString(SHA256.HashData(bytes));
        return new SignatureCheck(signed, signer, Trust.record(digest, signer), signature, keys.Find(signer.Fingerprint));
    }

    /// <summary>Forgets the bytes fed so far: a download that starts again.</summary>
    public void Restart()
    {
        foreach (var stream in streams) stream.Dispose();
        streams = Signer.Mode.IsText
            ? [new Stream(signature.HashAlgorithm, Trust.TextRule.GnuPg), new Stream(signature.HashAlgorithm, Trust.TextRule.Go)]
            : [new Stream(signature.HashAlgorithm, null)];
    }

    /// <summary>Feeds the next bytes of what was signed.</summary>
    public void Update(ReadOnlySpan<byte> bytes)
    {
        if (streams.Length == 0) Restart();
        foreach (var stream in streams) stream.Append(bytes);
    }

    /// <summary>The signer when the bytes fed match the signature; XMB-706 when they do not.</summary>
    public Trust.Signer Finish()
    {
        if (streams.Length == 0) Restart();
        var trailer = signature.GetSignatureTrailer();
        var matches = false;
        foreach (var stream in streams)
        {
            try
            {
                matches |= SignatureMath.Verifies(key, signature, stream.Finish(trailer));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A value the key's algorithm cannot read matches nothing.
            }
        }
        return Trust.conclude(Signed, Signer, matches).OrFail();
    }

    public void Dispose()
    {
        foreach (var stream in streams) stream.Dispose();
    }

    private static PgpSignature ReadSignature(Signed signed, string signatureAt, byte[] bytes)
    {
        BootFailure Unreadable(string detail) => new(TrustError.NewSignatureUnreadable(signed, signatureAt, detail));
        try
        {
            using var decoded = PgpUtilities.GetDecoderStream(new MemoryStream(bytes));
            var factory = new PgpObjectFactory(decoded);
            var item = factory.NextPgpObject();
            var signature = item switch
            {
                PgpSignatureList { Count: 1 } list => list[0],
                PgpSignatureList { Count: > 1 } => throw Unreadable("it holds several signatures; a detached signature has one"),
                null => throw Unreadable(bytes.Length == 0 ? "it is empty" : "it holds no OpenPGP packet"),
                _ => throw Unreadable($"it holds {item.GetType().Name}, not a signature"),
            };
            // A detached signature is the whole answer: bytes after it are not ignored.
            return factory.NextPgpObject() is null ? signature : throw Unreadable("it holds more than the one signature packet");
        }
        catch (Exception e) when (e is not (BootFailure or OperationCanceledException))
        {
            // Whatever the parser trips over (a truncated packet, an unknown version, bad armour).
            throw Unreadable($"it is not OpenPGP ({e.Message})");
        }
    }

    /// <summary>One way of hashing the document: its digest, and for text its canonicalisation.</summary>
    private sealed class Stream(HashAlgorithmTag hash, Trust.TextRule? rule) : IDisposable
    {
        private readonly Digest? digest = Digest.For(hash);
        private Trust.TextState? text = rule is null ? null : Trust.textStart(rule);

        public void Append(ReadOnlySpan<byte> bytes)
        {
            if (digest is null) return;
            if (text is null)
            {
                digest.Append(bytes);
                return;
            }
            var (canonical, next) = Trust.canonicalText(text, bytes.ToArray(), 0, bytes.Length);
            text = next;
            digest.Append(canonical);
        }

        public byte[] Finish(byte[] trailer)
        {
            if (digest is null) return [];
            digest.Append(trailer);
            return digest.Finish();
        }

        public void Dispose() => digest?.Dispose();
    }
}

/// <summary>The keys a run checks signatures with, read as root before any drop; null where none is needed.</summary>
internal sealed record TrustKeys(KeyRing? Lookup, KeyRing? Assets)
{
    public static TrustKeys Load(Boot.Preparation prepared) => new(
        prepared.LookupKeys.IsEmpty ? null : KeyRing.Load(Flags.spec(Flags.Flag.LookupKey).Name, prepared.LookupKeys),
        prepared.AssetKeys.IsEmpty ? null : KeyRing.Load(Flags.spec(Flags.Flag.AssetKey).Name, prepared.AssetKeys));
}
