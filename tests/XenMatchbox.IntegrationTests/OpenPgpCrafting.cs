using System.Buffers.Binary;
using System.Text;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Encodings;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// One RSA secret key of a GnuPG export (<c>gpg --export-secret-keys</c> with the empty passphrase,
/// which BouncyCastle decrypts), able to make any v4 signature, including those GnuPG will not make:
/// a binding without its back-signature, unknown critical subpackets, a data signature by a
/// certify-only key. The public key packet is the one <c>gpg --export</c> wrote.
/// </summary>
public sealed class CraftingKey
{
    private readonly RsaPrivateCrtKeyParameters secret;

    private CraftingKey(Packet publicKey, RsaPrivateCrtKeyParameters secret)
    {
        PublicKey = publicKey;
        this.secret = secret;
    }

    /// <summary>The public key packet (primary or subkey) as GnuPG exported it.</summary>
    public Packet PublicKey { get; }

    public byte[] Fingerprint => PublicKey.Fingerprint();

    public string KeyId => PublicKey.KeyId();

    /// <summary>Every RSA secret key of the export, by key id, paired with its public packet from <paramref name="publicExport"/>.</summary>
    public static Dictionary<string, CraftingKey> Read(byte[] secretExport, byte[] publicExport)
    {
        var publicKeys = OpenPgpPackets.Parse(publicExport).Where(p => p.IsKey).ToDictionary(p => p.KeyId());
        var ring = new PgpSecretKeyRing(new MemoryStream(OpenPgpPackets.Dearmour(secretExport)));
        var keys = new Dictionary<string, CraftingKey>();
        foreach (PgpSecretKey key in ring.GetSecretKeys())
        {
            var id = unchecked((ulong)key.KeyId).ToString("X16");
            if (key.ExtractPrivateKey([])?.Key is RsaPrivateCrtKeyParameters rsa && publicKeys.TryGetValue(id, out var packet))
            {
                keys[id] = new CraftingKey(packet, rsa);
            }
        }
        return keys;
    }

    /// <summary>
    /// A v4 signature packet of <paramref name="type"/> over <paramref name="context"/> (what
    /// <see cref="Contexts"/> builds): hashed area = issuer fingerprint, creation time, then
    /// <paramref name="hashed"/>; unhashed = <paramref name="unhashed"/>, then the issuer key id,
    /// as GnuPG lays them out; <paramref name="issuer"/> says which of the two issuer subpackets it has.
    /// </summary>
    public Packet Sign(int type, byte[] context, DateTimeOffset created, int hash = HashIds.Sha256, IEnumerable<byte[]>? hashed = null, IEnumerable<byte[]>? unhashed = null, Issuer issuer = Issuer.Both) =>
        new(Packet.Signature, SignBody(type, context, created, hash, hashed, unhashed, issuer));

    /// <summary>The signature packet's body (what an embedded-signature subpacket holds).</summary>
    public byte[] SignBody(int type, byte[] context, DateTimeOffset created, int hash = HashIds.Sha256, IEnumerable<byte[]>? hashed = null, IEnumerable<byte[]>? unhashed = null, Issuer issuer = Issuer.Both)
    {
        var fingerprint = issuer.HasFlag(Issuer.Fingerprint) ? Subpackets.IssuerFingerprint(Fingerprint) : [];
        var keyId = issuer.HasFlag(Issuer.KeyId) ? Subpackets.Issuer(Convert.FromHexString(KeyId)) : [];
        byte[] hashedArea = [.. fingerprint, .. Subpackets.Created(created), .. (hashed ?? []).SelectMany(s => s)];
        byte[] unhashedArea = [.. (unhashed ?? []).SelectMany(s => s), .. keyId];
        const int Rsa = 1;
        byte[] head = [4, (byte)type, Rsa, (byte)hash, (byte)(hashedArea.Length >> 8), (byte)hashedArea.Length, .. hashedArea];
        var trailer = new byte[6];
        trailer[0] = 4;
        trailer[1] = 0xFF;
        BinaryPrimitives.WriteInt32BigEndian(trailer.AsSpan(2), head.Length);
        var digest = DigestUtilities.GetDigest(HashIds.Name(hash));
        digest.BlockUpdate(context, 0, context.Length);
        digest.BlockUpdate(head, 0, head.Length);
        digest.BlockUpdate(trailer, 0, trailer.Length);
        var value = new byte[digest.GetDigestSize()];
        digest.DoFinal(value, 0);
        byte[] info = [.. HashIds.DigestInfoPrefix(hash), .. value];
        var engine = new Pkcs1Encoding(new RsaBlindedEngine());
        engine.Init(true, new ParametersWithRandom(secret, new SecureRandom()));
        var signature = engine.ProcessBlock(info, 0, info.Length);
        return [.. head, (byte)(unhashedArea.Length >> 8), (byte)unhashedArea.Length, .. unhashedArea, value[0], value[1], .. Mpi(signature)];
    }

    private static byte[] Mpi(byte[] unsigned)
    {
        var value = unsigned.AsSpan().TrimStart((byte)0);
        var bits = value.Length == 0 ? 0 : (value.Length - 1) * 8 + (8 - System.Numerics.BitOperations.LeadingZeroCount((uint)value[0]) + 24);
        return [(byte)(bits >> 8), (byte)bits, .. value];
    }
}

/// <summary>Which issuer subpackets a crafted signature carries: GnuPG's are both.</summary>
[Flags]
public enum Issuer
{
    None = 0,
    Fingerprint = 1,
    KeyId = 2,
    Both = Fingerprint | KeyId,
}

/// <summary>OpenPGP hash algorithm ids (RFC 4880 §9.4) and what PKCS #1 v1.5 puts before each digest.</summary>
public static class HashIds
{
    public const int Md5 = 1;
    public const int Sha1 = 2;
    public const int Ripemd160 = 3;
    public const int Sha256 = 8;
    public const int Sha384 = 9;
    public const int Sha512 = 10;
    public const int Sha224 = 11;

    public static string Name(int id) => id switch
    {
        Md5 => "MD5",
        Sha1 => "SHA-1",
        Ripemd160 => "RIPEMD160",
        Sha256 => "SHA-256",
        Sha384 => "SHA-384",
        Sha512 => "SHA-512",
        Sha224 => "SHA-224",
        _ => throw new ArgumentOutOfRangeException(nameof(id)),
    };

    public static byte[] DigestInfoPrefix(int id) => Convert.FromHexString(id switch
    {
        Md5 => "3020300C06082A864886F70D020505000410",
        Sha1 => "3021300906052B0E03021A05000414",
        Ripemd160 => "3021300906052B2403020105000414",
        Sha256 => "3031300D060960864801650304020105000420",
        Sha384 => "3041300D060960864801650304020205000430",
        Sha512 => "3051300D060960864801650304020305000440",
        Sha224 => "302D300D06096086480165030402040500041C",
        _ => throw new ArgumentOutOfRangeException(nameof(id)),
    });
}

/// <summary>What a signature of each type hashes before its own fields (RFC 4880 §5.2.4).</summary>
public static class Contexts
{
    /// <summary>A binary document (type 0x00): its bytes.</summary>
    public static byte[] Document(byte[] data) => data;

    /// <summary>A direct-key signature or a key revocation (0x1F, 0x20): the primary key.</summary>
    public static byte[] Key(Packet primary) => OpenPgpPackets.KeyHashInput(primary.Body);

    /// <summary>A user-ID certification (0x10–0x13): the primary key, then 0xB4, the length and the user ID.</summary>
    public static byte[] UserId(Packet primary, Packet userId)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, userId.Body.Length);
        return [.. OpenPgpPackets.KeyHashInput(primary.Body), 0xB4, .. length, .. userId.Body];
    }

    /// <summary>A subkey binding, back-signature or subkey revocation (0x18, 0x19, 0x28): the primary key, then the subkey.</summary>
    public static byte[] Binding(Packet primary, Packet subkey) =>
        [.. OpenPgpPackets.KeyHashInput(primary.Body), .. OpenPgpPackets.KeyHashInput(subkey.Body)];
}

/// <summary>Signature subpackets (RFC 4880 §5.2.3.1), each with its length and type octets.</summary>
public static class Subpackets
{
    public const int KeyFlagsCertify = 0x01;
    public const int KeyFlagsSign = 0x02;
    public const int KeyFlagsEncrypt = 0x0C;

    public static byte[] Make(int type, byte[] data, bool critical = false) =>
        [.. OpenPgpPackets.NewFormatLength(data.Length + 1), (byte)(type | (critical ? 0x80 : 0)), .. data];

    private static byte[] Seconds(long value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, checked((uint)value));
        return bytes;
    }

    public static byte[] Created(DateTimeOffset at) => Make(2, Seconds(at.ToUnixTimeSeconds()));

    public static byte[] SignatureExpires(TimeSpan after) => Make(3, Seconds((long)after.TotalSeconds));

    public static byte[] KeyExpires(TimeSpan afterCreation) => Make(9, Seconds((long)afterCreation.TotalSeconds));

    public static byte[] KeyFlags(int flags) => Make(27, [(byte)flags]);

    public static byte[] Issuer(byte[] keyId) => Make(16, keyId);

    public static byte[] IssuerFingerprint(byte[] fingerprint) => Make(33, [4, .. fingerprint]);

    /// <summary>A human-readable notation name=value; with <paramref name="critical"/> a verifier that does not know it must refuse the signature.</summary>
    public static byte[] Notation(string name, string value, bool critical)
    {
        var n = Encoding.UTF8.GetBytes(name);
        var v = Encoding.UTF8.GetBytes(value);
        return Make(20, [0x80, 0, 0, 0, (byte)(n.Length >> 8), (byte)n.Length, (byte)(v.Length >> 8), (byte)v.Length, .. n, .. v], critical);
    }

    /// <summary>A reason for revocation: 0x00 none given, 0x01 superseded, 0x02 compromised, 0x03 retired.</summary>
    public static byte[] Reason(int code, string text) => Make(29, [(byte)code, .. Encoding.UTF8.GetBytes(text)]);

    /// <summary>An embedded signature (a back-signature 0x19 in a binding): the body of its packet.</summary>
    public static byte[] Embedded(byte[] signatureBody) => Make(32, signatureBody);

    /// <summary>The preferences GnuPG's self-signatures carry (symmetric, hash, compression algorithms; features; key-server).</summary>
    public static byte[] GnuPgPreferences() =>
        [.. Make(11, [9, 8, 7, 2]), .. Make(21, [10, 9, 8, 11, 2]), .. Make(22, [2, 3, 1]), .. Make(30, [1]), .. Make(23, [0x80])];
}
