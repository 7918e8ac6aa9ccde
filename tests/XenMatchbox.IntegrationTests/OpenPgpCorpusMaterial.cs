using System.Security.Cryptography;
using System.Text;

namespace XenMatchbox.IntegrationTests;

/// <summary>A key GnuPG made: its public export as packets and its RSA secret keys for crafting.</summary>
public sealed class CorpusKey
{
    public CorpusKey(GnuPgHome gpg, string fingerprint, string? signer = null)
    {
        Fingerprint = fingerprint;
        Signer = (signer ?? fingerprint) + "!";
        Export = gpg.Export(fingerprint);
        Secrets = CraftingKey.Read(gpg.ExportSecret(fingerprint), Export);
    }

    public string Fingerprint { get; }

    /// <summary>What <c>gpg --local-user</c> signs with: the signing key itself ("FPR!").</summary>
    public string Signer { get; }

    /// <summary>The public key as <c>gpg --export</c> wrote it.</summary>
    public byte[] Export { get; }

    private Dictionary<string, CraftingKey> Secrets { get; }

    /// <summary>The export's packets, a fresh list to edit.</summary>
    public List<Packet> Packets() => OpenPgpPackets.Parse(Export);

    public CraftingKey Primary => Secrets[Fingerprint[^16..]];

    public CraftingKey Key(string fingerprint) => Secrets[fingerprint[^16..]];
}

/// <summary>
/// What the corpus cases are made from: GnuPG's keys (most of them made ten days ago, so that a
/// change dated three days ago, before the signatures made now, is what sqv sees at the
/// signature's time as well as what xenmatchbox sees now), the documents and the signatures
/// several cases share.
/// </summary>
public sealed class CorpusMaterial : IDisposable
{
    public CorpusMaterial()
    {
        Now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Past = Now.AddDays(-10);
        Change = Now.AddDays(-3);
        BeforeChange = Now.AddDays(-4);
        Later = Now.AddDays(2);
        Gpg = new GnuPgHome();
        var gpg = Gpg;

        Rsa = new CorpusKey(gpg, gpg.GenerateKey("rsa", "rsa2048", "sign", "never", Past));
        Ed = new CorpusKey(gpg, gpg.GenerateKey("ed", "ed25519", "sign", "never", Past));

        var sub = gpg.GenerateKey("sub", "rsa2048", "cert", "never", Past);
        SubSigning = gpg.AddSubkey(sub, "rsa2048", "sign", "never", Past);
        SubEncryption = gpg.AddSubkey(sub, "rsa2048", "encr", "never", Past);
        Sub = new CorpusKey(gpg, sub, SubSigning);

        // Keys the test only signs with through GnuPG are EdDSA: made in milliseconds.
        var stranger = gpg.GenerateKey("stranger", "ed25519", "sign", "never", Past);
        StrangerSubkey = gpg.AddSubkey(stranger, "ed25519", "sign", "never", Past);
        Stranger = new CorpusKey(gpg, stranger, StrangerSubkey);

        Expired = new CorpusKey(gpg, gpg.GenerateKey("expired", "rsa2048", "sign", "1y", ExpiredKeyMade));
        Future = new CorpusKey(gpg, gpg.GenerateKey("future", "rsa2048", "sign", "never", Later));
        Old = new CorpusKey(gpg, gpg.GenerateKey("old", "rsa2048", "sign", "never", OldKeyMade));

        RsaSignature = gpg.Sign(Rsa.Signer, Kernel);
        SubSignature = gpg.Sign(Sub.Signer, Kernel);
        OldSignature = gpg.Sign(Old.Signer, Kernel);

        // Expiry shortened into the past: the signature is made first (the key was valid), then a
        // self-signature dated three days ago lets the key expire two days ago.
        var shortened = gpg.GenerateKey("shortened", "ed25519", "sign", "never", Past);
        ShortenedSignature = gpg.Sign(shortened + "!", Kernel);
        ShortenedOld = gpg.Export(shortened);
        gpg.Run(null, [.. GnuPgHome.At(Change), "--quick-set-expire", shortened, "1d"]);
        ShortenedNew = gpg.Export(shortened);

        // Expiry extended: made ten days ago valid for two, extended three days ago, then signed.
        var extended = gpg.GenerateKey("extended", "ed25519", "sign", "2d", Past);
        ExtendedOld = gpg.Export(extended);
        gpg.Run(null, [.. GnuPgHome.At(Change), "--quick-set-expire", extended, "never"]);
        ExtendedSignature = gpg.Sign(extended + "!", Kernel);
        ExtendedNew = gpg.Export(extended);
    }

    /// <summary>When the "expired" key was made (valid one year) and signed with, while valid.</summary>
    public static readonly DateTimeOffset ExpiredKeyMade = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset ExpiredKeySigned = new(2020, 6, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>When the "old" key was made, and when its SHA-1 self-signature is dated.</summary>
    public static readonly DateTimeOffset OldKeyMade = new(2019, 6, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset OldSelfSignature = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public DateTimeOffset Now { get; }

    /// <summary>Ten days ago: when most keys were made.</summary>
    public DateTimeOffset Past { get; }

    /// <summary>Three days ago: when keys changed (usage, expiry, revocation), before the signatures made now.</summary>
    public DateTimeOffset Change { get; }

    /// <summary>Four days ago: a signature made before a change.</summary>
    public DateTimeOffset BeforeChange { get; }

    /// <summary>In two days: the future key's creation.</summary>
    public DateTimeOffset Later { get; }

    public GnuPgHome Gpg { get; }

    /// <summary>A binary document, signed as a kernel is.</summary>
    public byte[] Kernel { get; } = RandomNumberGenerator.GetBytes(4096);

    /// <summary>Text with LF line ends.</summary>
    public static byte[] Lf { get; } = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 100).Select(i => $"kernel line {i}\n")));

    public static byte[] Crlf { get; } = Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(Lf).Replace("\n", "\r\n", StringComparison.Ordinal));

    /// <summary>LF line ends and one CR that is not before a LF, in the middle.</summary>
    public static byte[] LoneCr { get; } = Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(Lf).Replace("line 50\n", "line 50\rstill line 50\n", StringComparison.Ordinal));

    /// <summary>LF line ends, then a last line ending in a lone CR.</summary>
    public static byte[] TrailingCr { get; } = [.. Lf, .. "last line\r"u8];

    /// <summary>RSA 2048, sign and certify, never expires.</summary>
    public CorpusKey Rsa { get; }

    public CorpusKey Ed { get; }

    /// <summary>A certify-only primary key with a signing subkey (the signer) and an encryption subkey.</summary>
    public CorpusKey Sub { get; }

    public string SubSigning { get; }

    public string SubEncryption { get; }

    /// <summary>Another key with a signing subkey (the signer): what is appended where it does not belong.</summary>
    public CorpusKey Stranger { get; }

    public string StrangerSubkey { get; }

    /// <summary>Made in 2020, valid one year.</summary>
    public CorpusKey Expired { get; }

    /// <summary>Made two days from now.</summary>
    public CorpusKey Future { get; }

    /// <summary>Made in 2019, never expires.</summary>
    public CorpusKey Old { get; }

    /// <summary>GnuPG's binary signatures of <see cref="Kernel"/>, made now, by the keys their names say.</summary>
    public byte[] RsaSignature { get; }

    public byte[] SubSignature { get; }

    public byte[] OldSignature { get; }

    public byte[] ShortenedOld { get; }

    public byte[] ShortenedNew { get; }

    public byte[] ShortenedSignature { get; }

    public byte[] ExtendedOld { get; }

    public byte[] ExtendedNew { get; }

    public byte[] ExtendedSignature { get; }

    public void Dispose() => Gpg.Dispose();
}
