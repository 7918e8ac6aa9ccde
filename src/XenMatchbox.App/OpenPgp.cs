using System.Security.Cryptography;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// The operator's OpenPGP public keys from the files one flag names (<c>gpg --export</c>, binary or
/// armoured; several keys and files add up), read as root before any privilege drop. What each
/// key is (id, fingerprint, user id, dates, revocation) goes to the Domain as <see cref="Trust.Key"/>;
/// the keys themselves stay here for the cryptography.
/// </summary>
internal sealed class KeyRing
{
    private readonly Dictionary<ulong, PgpPublicKey> byId = [];

    private KeyRing(string flag, FSharpList<Trust.Key> keys)
    {
        Flag = flag;
        Keys = keys;
    }

    /// <summary>The flag that names the files, for messages (--lookup-key, --asset-key).</summary>
    public string Flag { get; }

    /// <summary>Every key and subkey of the files, as the Domain judges them.</summary>
    public FSharpList<Trust.Key> Keys { get; }

    /// <summary>Reads the files; a file that cannot be read or holds no public key is XMB-701/702.</summary>
    public static KeyRing Load(string flag, IEnumerable<string> files)
    {
        var keys = new List<Trust.Key>();
        var publicKeys = new List<PgpPublicKey>();
        foreach (var path in files)
        {
            var found = 0;
            foreach (var ring in ReadRings(flag, path))
            {
                var primary = ring.GetPublicKey();
                var primaryExpiry = Expiry(primary);
                var userId = primary.GetUserIds().FirstOrDefault() ?? "";
                foreach (var key in ring.GetPublicKeys())
                {
                    var own = Expiry(key);
                    var expires = key.IsMasterKey ? own : Earlier(own, primaryExpiry);
                    keys.Add(new Trust.Key(
                        unchecked((ulong)key.KeyId),
                        Convert.ToHexString(key.GetFingerprint()),
                        Convert.ToHexString(primary.GetFingerprint()),
                        userId,
                        new DateTimeOffset(DateTime.SpecifyKind(key.CreationTime, DateTimeKind.Utc)),
                        expires is { } e ? FSharpOption<DateTimeOffset>.Some(e) : FSharpOption<DateTimeOffset>.None,
                        key.HasRevocation() || primary.HasRevocation()));
                    publicKeys.Add(key);
                    found++;
                }
            }
            if (found == 0)
            {
                throw new BootFailure(TrustError.NewKeyFileRejected(flag, path, "it holds no key"));
            }
        }
        var ringOfKeys = new KeyRing(flag, ListModule.OfSeq(keys));
        foreach (var key in publicKeys)
        {
            ringOfKeys.byId.TryAdd(unchecked((ulong)key.KeyId), key);
        }
        return ringOfKeys;
    }

    /// <summary>The public key with this id (the Domain chose it from <see cref="Keys"/>).</summary>
    public PgpPublicKey Find(ulong keyId) => byId[keyId];

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
        try
        {
            using var decoded = PgpUtilities.GetDecoderStream(new MemoryStream(bytes));
            var factory = new PgpObjectFactory(decoded);
            var rings = new List<PgpPublicKeyRing>();
            while (factory.NextPgpObject() is { } item)
            {
                rings.Add(item switch
                {
                    PgpPublicKeyRing ring => ring,
                    PgpSecretKeyRing => throw new BootFailure(TrustError.NewKeyFileRejected(flag, path, "it is a secret key; give only the public key")),
                    _ => throw new BootFailure(TrustError.NewKeyFileRejected(flag, path, $"it holds {item.GetType().Name}, not a public key")),
                });
            }
            return rings;
        }
        catch (Exception e) when (e is IOException or PgpException or ArgumentException or InvalidOperationException)
        {
            throw new BootFailure(TrustError.NewKeyFileRejected(flag, path, $"it is not OpenPGP key data ({e.Message})"));
        }
    }

    private static DateTimeOffset? Expiry(PgpPublicKey key) =>
        key.GetValidSeconds() is > 0 and var seconds
            ? new DateTimeOffset(DateTime.SpecifyKind(key.CreationTime, DateTimeKind.Utc)).AddSeconds(seconds)
            : null;

    private static DateTimeOffset? Earlier(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;
}

/// <summary>
/// One detached signature being checked against the bytes it covers, fed as they arrive (hash as
/// you write): the Domain chose the key and judged the dates. BouncyCastle reads the packet and
/// gives the bytes OpenPGP hashes after the document (the signature's trailer). A binary-mode
/// signature by an RSA key with SHA-256/384/512 (what distributions publish for kernels and
/// initramfs images) is then checked with the platform's hash and RSA (OpenSSL: several times
/// faster on 100 MiB than BouncyCastle's managed digests, and without its primality test of the
/// key's modulus on every use); anything else (text mode, as matchbox signs /ipxe; other key or
/// hash algorithms) goes through BouncyCastle's own verifier, which canonicalises text itself, so
/// the bytes go in as received either way.
/// </summary>
internal sealed class SignatureCheck : IDisposable
{
    private readonly PgpSignature signature;
    private readonly PgpPublicKey key;
    private readonly HashAlgorithmName? platformHash;
    private IncrementalHash? hash;
    private bool initialised;

    private SignatureCheck(Signed signed, Trust.Signer signer, string record, PgpSignature signature, PgpPublicKey key)
    {
        Signed = signed;
        Signer = signer;
        Record = record;
        this.signature = signature;
        this.key = key;
        platformHash = signature.SignatureType == PgpSignature.BinaryDocument
            && key.Algorithm is PublicKeyAlgorithmTag.RsaGeneral or PublicKeyAlgorithmTag.RsaSign
            ? signature.HashAlgorithm switch
            {
                HashAlgorithmTag.Sha256 => HashAlgorithmName.SHA256,
                HashAlgorithmTag.Sha384 => HashAlgorithmName.SHA384,
                HashAlgorithmTag.Sha512 => HashAlgorithmName.SHA512,
                _ => null,
            }
            : null;
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
    /// keys at <paramref name="now"/>: XMB-704 when it is no signature, XMB-705, 707, 708, 709 as
    /// Trust.choose says.
    /// </summary>
    public static SignatureCheck Prepare(Signed signed, string signatureAt, byte[] bytes, KeyRing keys, DateTimeOffset now)
    {
        var signature = ReadSignature(signed, signatureAt, bytes);
        var hashed = signature.GetHashedSubPackets();
        var expiresAfter = hashed?.GetSignatureExpirationTime() ?? 0;
        var created = new DateTimeOffset(DateTime.SpecifyKind(signature.CreationTime, DateTimeKind.Utc));
        var facts = new Trust.Signature(
            signature.SignatureType,
            signature.KeyId != 0 ? FSharpOption<ulong>.Some(unchecked((ulong)signature.KeyId)) : FSharpOption<ulong>.None,
            (int)signature.HashAlgorithm,
            created,
            expiresAfter > 0 ? FSharpOption<DateTimeOffset>.Some(created.AddSeconds(expiresAfter)) : FSharpOption<DateTimeOffset>.None);
        var (key, signer) = Trust.choose(now, signed, signatureAt, keys.Flag, keys.Keys, facts).OrFail();
        var digest = Convert.ToHexString(SHA256.HashData(bytes));
        return new SignatureCheck(signed, signer, Trust.record(digest, signer), signature, keys.Find(key.KeyId));
    }

    /// <summary>Forgets the bytes fed so far: a download that starts again.</summary>
    public void Restart()
    {
        if (platformHash is { } name)
        {
            hash?.Dispose();
            hash = IncrementalHash.CreateHash(name);
            return;
        }
        try
        {
            signature.InitVerify(key);
            initialised = true;
        }
        catch (Exception e) when (e is PgpException or ArgumentException)
        {
            throw new BootFailure(TrustError.NewBadSignature(Signed, $"{Trust.describe(Signer)} ({e.Message})"));
        }
    }

    /// <summary>Feeds the next bytes of what was signed.</summary>
    public void Update(ReadOnlySpan<byte> bytes)
    {
        if (platformHash is not null)
        {
            if (hash is null) Restart();
            hash!.AppendData(bytes);
            return;
        }
        if (!initialised) Restart();
        signature.Update(bytes);
    }

    /// <summary>The signer when the bytes fed match the signature; XMB-706 when they do not.</summary>
    public Trust.Signer Finish()
    {
        bool matches;
        try
        {
            if (platformHash is { } name)
            {
                if (hash is null) Restart();
                hash!.AppendData(signature.GetSignatureTrailer());
                matches = VerifyRsa(hash.GetHashAndReset(), name);
            }
            else
            {
                if (!initialised) Restart();
                matches = signature.Verify();
            }
        }
        catch (Exception e) when (e is PgpException or CryptographicException)
        {
            matches = false;
        }
        return Trust.conclude(Signed, Signer, matches).OrFail();
    }

    /// <summary>PKCS #1 v1.5 over the digest, as OpenPGP's RSA signatures are made.</summary>
    private bool VerifyRsa(byte[] digest, HashAlgorithmName name)
    {
        var rsaKey = (RsaPublicBcpgKey)key.PublicKeyPacket.Key;
        var modulus = rsaKey.Modulus.ToByteArrayUnsigned();
        // The MPI drops leading zero bytes; the signature is as long as the modulus.
        var value = signature.GetSignature();
        if (value.Length > modulus.Length)
        {
            return false;
        }
        var padded = new byte[modulus.Length];
        value.CopyTo(padded, modulus.Length - value.Length);
        using var rsa = RSA.Create();
        rsa.ImportParameters(new RSAParameters { Modulus = modulus, Exponent = rsaKey.PublicExponent.ToByteArrayUnsigned() });
        return rsa.VerifyHash(digest, padded, name, RSASignaturePadding.Pkcs1);
    }

    public void Dispose() => hash?.Dispose();

    private static PgpSignature ReadSignature(Signed signed, string signatureAt, byte[] bytes)
    {
        BootFailure Unreadable(string detail) => new(TrustError.NewSignatureUnreadable(signed, signatureAt, detail));
        try
        {
            using var decoded = PgpUtilities.GetDecoderStream(new MemoryStream(bytes));
            var item = new PgpObjectFactory(decoded).NextPgpObject();
            return item switch
            {
                PgpSignatureList { Count: 1 } list => list[0],
                PgpSignatureList { Count: > 1 } => throw Unreadable("it holds several signatures; a detached signature has one"),
                null => throw Unreadable(bytes.Length == 0 ? "it is empty" : "it holds no OpenPGP packet"),
                _ => throw Unreadable($"it holds {item.GetType().Name}, not a signature"),
            };
        }
        catch (Exception e) when (e is IOException or PgpException or ArgumentException or InvalidOperationException or EndOfStreamException)
        {
            throw Unreadable($"it is not OpenPGP ({e.Message})");
        }
    }
}

/// <summary>The keys a run checks signatures with, read as root before any drop; null where none is needed.</summary>
internal sealed record TrustKeys(KeyRing? Lookup, KeyRing? Assets)
{
    public static TrustKeys Load(Boot.Preparation prepared) => new(
        prepared.LookupKeys.IsEmpty ? null : KeyRing.Load(Flags.spec(Flags.Flag.LookupKey).Name, prepared.LookupKeys),
        prepared.AssetKeys.IsEmpty ? null : KeyRing.Load(Flags.spec(Flags.Flag.AssetKey).Name, prepared.AssetKeys));
}
