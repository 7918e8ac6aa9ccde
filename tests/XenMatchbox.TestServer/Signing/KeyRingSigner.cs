using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace XenMatchbox.TestServer;

/// <summary>
/// Signs with the first signing-capable secret key of a private keyring file (as <c>gpg
/// --export-secret-keys</c> writes it, binary or armoured, without a passphrase), the way matchbox's
/// <c>-key-ring-path</c> does: where no GnuPG is at hand (the Xen end-to-end dom0). Detached
/// signatures, SHA-256, issuer and creation time in the packet.
/// </summary>
public sealed class KeyRingSigner : IDetachedSigner
{
    private readonly PgpSecretKey key;
    private readonly PgpPrivateKey privateKey;

    /// <summary>Reads the keyring at <paramref name="path"/>; throws when it holds no usable signing key.</summary>
    public KeyRingSigner(string path)
    {
        using var file = File.OpenRead(path);
        var bundle = new PgpSecretKeyRingBundle(PgpUtilities.GetDecoderStream(file));
        key = bundle.GetKeyRings().SelectMany(ring => ring.GetSecretKeys()).FirstOrDefault(k => k.IsSigningKey && !k.IsPrivateKeyEmpty)
            ?? throw new InvalidOperationException($"{path} holds no signing secret key");
        privateKey = key.ExtractPrivateKey([]);
    }

    /// <inheritdoc/>
    public byte[] SignText(byte[] document, bool armour) => Sign(document, PgpSignature.CanonicalTextDocument, armour);

    /// <summary>A detached binary-mode signature (type 0x00), as distributions publish beside their files.</summary>
    public byte[] SignBinary(byte[] document) => Sign(document, PgpSignature.BinaryDocument, armour: false);

    private byte[] Sign(byte[] document, int type, bool armour)
    {
        var generator = new PgpSignatureGenerator(key.PublicKey.Algorithm, HashAlgorithmTag.Sha256);
        generator.InitSign(type, privateKey);
        var hashed = new PgpSignatureSubpacketGenerator();
        hashed.SetSignatureCreationTime(false, DateTime.UtcNow);
        hashed.SetIssuerKeyID(false, key.KeyId);
        generator.SetHashedSubpackets(hashed.Generate());
        generator.Update(document);
        using var output = new MemoryStream();
        if (armour)
        {
            using var armoured = new ArmoredOutputStream(output);
            generator.Generate().Encode(armoured);
        }
        else
        {
            generator.Generate().Encode(output);
        }
        return output.ToArray();
    }
}
