using System.Diagnostics;
using System.Text;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// OpenPGP keys and signatures made by GnuPG, an implementation independent of the one xenmatchbox
/// verifies with (scripts/test installs Debian's gnupg). One keyring, in a temporary home, holds:
/// <c>good</c> (RSA 2048, made two days ago, so that an answer it signed in the past is not older
/// than its key), <c>other</c> (a key nobody gives xenmatchbox), <c>expired</c> (made in
/// 2020, valid one year; its signatures are dated 2020), <c>revoked</c> (its public export carries
/// its revocation; the keyring still signs with it), and <c>subkey</c> (a certify-only primary key
/// whose signing subkey signs), and <c>ed25519</c> (an EdDSA key).
/// </summary>
public sealed class GnuPgKeys : IDisposable
{
    private static readonly string[] Names = ["good", "other", "expired", "revoked", "subkey", "ed25519"];
    private static readonly string[] Armour = ["--armor"];

    /// <summary>When the expired key's signatures are made: while it was valid, in 2020.</summary>
    private const string ExpiredKeySigned = "20200601T000000";
    private readonly Dictionary<string, string> signingKeyIds = [];
    private readonly string exports;

    public GnuPgKeys()
    {
        // Short: gpg-agent's socket path must fit a sockaddr_un.
        Home = Directory.CreateTempSubdirectory("xmb-gpg-").FullName;
        exports = Path.Combine(Home, "exports");
        Directory.CreateDirectory(exports);
        Gpg(null, "--faked-system-time", GnuPgTime(TimeSpan.FromDays(2)), "--quick-gen-key", "xmb good <good@xmb.test>", "rsa2048", "sign", "never");
        Gpg(null, "--quick-gen-key", "xmb other <other@xmb.test>", "rsa2048", "sign", "never");
        Gpg(null, "--faked-system-time", "20200101T000000", "--quick-gen-key", "xmb expired <expired@xmb.test>", "rsa2048", "sign", "1y");
        Gpg(null, "--quick-gen-key", "xmb revoked <revoked@xmb.test>", "rsa2048", "sign", "never");
        Gpg(null, "--quick-gen-key", "xmb subkey <subkey@xmb.test>", "rsa2048", "cert", "never");
        Gpg(null, "--quick-add-key", Fingerprint("subkey"), "rsa2048", "sign", "never");
        Gpg(null, "--quick-gen-key", "xmb ed25519 <ed25519@xmb.test>", "ed25519", "sign", "never");
        foreach (var name in Names)
        {
            signingKeyIds[name] = SigningKeyId(name);
        }
    }

    /// <summary>The GnuPG home holding the secret keys.</summary>
    public string Home { get; }

    /// <summary>The key id (16 hex digits) that signs for <paramref name="name"/>: the subkey's for "subkey".</summary>
    public string KeyId(string name) => signingKeyIds[name];

    /// <summary>A signer for the test server's /ipxe.sig, as matchbox's -key-ring-path signs.</summary>
    public TestServer.GnuPgSigner Signer(string name) => new(Home, Fingerprint(name), name == "expired" ? ExpiredKeySigned : null);

    /// <summary>
    /// A signer for /ipxe.sig whose signatures are dated <paramref name="signedAgo"/> before now: a
    /// matchbox answer rendered and signed that long ago, replayed.
    /// </summary>
    public TestServer.GnuPgSigner Signer(string name, TimeSpan signedAgo) => new(Home, Fingerprint(name), GnuPgTime(signedAgo));

    /// <summary>GnuPG's --faked-system-time for <paramref name="ago"/> before now, in seconds since the epoch.</summary>
    private static string GnuPgTime(TimeSpan ago) =>
        (DateTimeOffset.UtcNow - ago).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The public key as 'gpg --export [--armor]' writes it (with its revocation for "revoked").</summary>
    public string Export(string name, bool armour = false)
    {
        var path = Path.Combine(exports, $"{name}{(armour ? ".asc" : ".gpg")}");
        if (!File.Exists(path))
        {
            var key = Gpg(null, ["--export", .. armour ? Armour : [], Fingerprint(name)]);
            if (name == "revoked")
            {
                key = Revoked(key, armour);
            }
            File.WriteAllBytes(path, key);
        }
        return path;
    }

    /// <summary>
    /// A detached signature of <paramref name="document"/>: binary or text mode, binary or armoured
    /// output, with the key's preferred digest (SHA-512 for GnuPG's RSA keys) or <paramref name="digest"/>.
    /// </summary>
    public byte[] Sign(string name, byte[] document, bool text = false, bool armour = false, string? digest = null)
    {
        List<string> args = ["--local-user", Fingerprint(name) + (name == "subkey" ? "" : "!"), "--detach-sign"];
        if (digest is not null) args.AddRange(["--digest-algo", digest]);
        if (text) args.Add("--textmode");
        if (armour) args.Add("--armor");
        if (name == "expired") args.InsertRange(0, ["--faked-system-time", ExpiredKeySigned]);
        return Gpg(document, [.. args]);
    }

    /// <summary>Writes FILE.sig beside <paramref name="file"/>, as a mirror of a distribution's files holds it.</summary>
    public void SignFile(string name, string file, bool armour = false) =>
        File.WriteAllBytes(file + ".sig", Sign(name, File.ReadAllBytes(file), armour: armour));

    private string Fingerprint(string name)
    {
        var listing = Encoding.UTF8.GetString(Gpg(null, "--with-colons", "--list-keys", $"<{name}@xmb.test>"));
        return listing.Split('\n').First(line => line.StartsWith("fpr:", StringComparison.Ordinal)).Split(':')[9];
    }

    /// <summary>The id of the key that signs: the primary's, or the last subkey's with the sign capability.</summary>
    private string SigningKeyId(string name)
    {
        var listing = Encoding.UTF8.GetString(Gpg(null, "--with-colons", "--list-keys", $"<{name}@xmb.test>"));
        var keys = listing.Split('\n').Where(line => line.StartsWith("pub:", StringComparison.Ordinal) || line.StartsWith("sub:", StringComparison.Ordinal))
            .Select(line => line.Split(':')).ToList();
        return keys.Last(fields => fields[11].Contains('s', StringComparison.Ordinal))[4];
    }

    /// <summary>The public key with its revocation certificate (which GnuPG wrote when it made the key) merged in.</summary>
    private byte[] Revoked(byte[] key, bool armour)
    {
        var view = Directory.CreateTempSubdirectory("xmb-gpg-view-").FullName;
        try
        {
            var fingerprint = Fingerprint("revoked");
            var certificate = File.ReadAllText(Path.Combine(Home, "openpgp-revocs.d", fingerprint + ".rev"))
                .Replace(":-----BEGIN PGP PUBLIC KEY BLOCK-----", "-----BEGIN PGP PUBLIC KEY BLOCK-----", StringComparison.Ordinal);
            Gpg(view, key, "--import");
            Gpg(view, Encoding.ASCII.GetBytes(certificate), "--import");
            return Gpg(view, null, ["--export", .. armour ? Armour : [], fingerprint]);
        }
        finally
        {
            RunQuietly("gpgconf", "--homedir", view, "--kill", "all");
            Directory.Delete(view, recursive: true);
        }
    }

    private byte[] Gpg(byte[]? input, params string[] args) => Gpg(Home, input, args);

    private static byte[] Gpg(string home, byte[]? input, params string[] args) => GnuPgHome.Run(home, input, args);

    private static void RunQuietly(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start);
        process?.WaitForExit(TimeSpan.FromSeconds(10));
    }

    public void Dispose()
    {
        RunQuietly("gpgconf", "--homedir", Home, "--kill", "all");
        Directory.Delete(Home, recursive: true);
    }
}
