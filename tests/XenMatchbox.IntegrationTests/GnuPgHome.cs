using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// A temporary GnuPG home for making keys and signatures, dated where a case needs it
/// (<c>--faked-system-time</c>). Its agent protects each key with the empty passphrase at the
/// lowest S2K count, so that a signature costs milliseconds rather than the half second a
/// calibrated count takes on a busy machine.
/// </summary>
public sealed class GnuPgHome : IDisposable
{
    public GnuPgHome()
    {
        // Short: gpg-agent's socket path must fit a sockaddr_un.
        Directory = System.IO.Directory.CreateTempSubdirectory("xmb-pgp-").FullName;
        File.WriteAllText(Path.Combine(Directory, "gpg-agent.conf"), "s2k-count 65536\n");
    }

    public string Directory { get; }

    /// <summary>GnuPG's --faked-system-time for <paramref name="at"/>.</summary>
    public static string[] At(DateTimeOffset? at) =>
        at is { } t ? ["--faked-system-time", t.UtcDateTime.ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture)] : [];

    /// <summary>A new key for <c>NAME &lt;NAME@corpus.test&gt;</c>, made at <paramref name="at"/>; its fingerprint.</summary>
    public string GenerateKey(string name, string algorithm, string usage, string expire, DateTimeOffset? at = null)
    {
        Run(null, [.. At(at), "--quick-gen-key", $"{name} <{name}@corpus.test>", algorithm, usage, expire]);
        return Listing($"<{name}@corpus.test>").First().Fingerprint;
    }

    /// <summary>A new subkey of <paramref name="fingerprint"/>; the subkey's fingerprint.</summary>
    public string AddSubkey(string fingerprint, string algorithm, string usage, string expire, DateTimeOffset? at = null)
    {
        Run(null, [.. At(at), "--quick-add-key", fingerprint, algorithm, usage, expire]);
        return Listing(fingerprint).Last().Fingerprint;
    }

    /// <summary>The primary key and subkeys of a key: (pub or sub, fingerprint, capabilities).</summary>
    public List<(string Kind, string Fingerprint, string Capabilities)> Listing(string key)
    {
        var keys = new List<(string, string, string)>();
        string? kind = null, capabilities = null;
        foreach (var line in Encoding.UTF8.GetString(Run(null, "--with-colons", "--list-keys", key)).Split('\n'))
        {
            var fields = line.Split(':');
            if (fields[0] is "pub" or "sub")
            {
                (kind, capabilities) = (fields[0], fields[11]);
            }
            else if (fields[0] == "fpr" && kind is not null)
            {
                keys.Add((kind, fields[9], capabilities!));
                kind = null;
            }
        }
        return keys;
    }

    public byte[] Export(string fingerprint) => Run(null, "--export", fingerprint);

    public byte[] ExportSecret(string fingerprint) => Run(null, "--export-secret-keys", fingerprint);

    /// <summary>The revocation certificate GnuPG wrote when it made the key (openpgp-revocs.d), as its one packet.</summary>
    public Packet RevocationCertificate(string fingerprint)
    {
        var text = File.ReadAllText(Path.Combine(Directory, "openpgp-revocs.d", fingerprint + ".rev"))
            .Replace(":-----BEGIN PGP PUBLIC KEY BLOCK-----", "-----BEGIN PGP PUBLIC KEY BLOCK-----", StringComparison.Ordinal);
        return OpenPgpPackets.Parse(Encoding.ASCII.GetBytes(text[text.IndexOf("-----BEGIN", StringComparison.Ordinal)..])).Single();
    }

    /// <summary>
    /// A detached signature by <paramref name="signer"/> (a fingerprint; with "!" that very
    /// subkey), binary or text mode, with <paramref name="digest"/> or the key's preferred one,
    /// made at <paramref name="at"/>, with <paramref name="more"/> options.
    /// </summary>
    public byte[] Sign(string signer, byte[] data, bool text = false, string? digest = null, DateTimeOffset? at = null, params string[] more)
    {
        List<string> args = [.. At(at), "--local-user", signer, "--detach-sign", .. more];
        if (digest is not null) args.AddRange(["--digest-algo", digest]);
        if (text) args.Add("--textmode");
        return Run(data, [.. args]);
    }

    public byte[] Run(byte[]? input, params string[] args) => Run(Directory, input, args);

    /// <summary>gpg in batch mode over <paramref name="home"/>, fed <paramref name="input"/>; its standard output, or an exception naming what it said.</summary>
    public static byte[] Run(string home, byte[]? input, params string[] args)
    {
        var start = new ProcessStartInfo("gpg") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--homedir", home, "--batch", "--yes", "--no-auto-check-trustdb", "--pinentry-mode", "loopback", "--passphrase", "" }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }
        using var gpg = Process.Start(start) ?? throw new InvalidOperationException("gpg did not start");
        var error = gpg.StandardError.ReadToEndAsync();
        using var output = new MemoryStream();
        var copy = gpg.StandardOutput.BaseStream.CopyToAsync(output);
        if (input is not null) gpg.StandardInput.BaseStream.Write(input);
        gpg.StandardInput.Close();
        if (!copy.Wait(TimeSpan.FromSeconds(60)) || !gpg.WaitForExit(TimeSpan.FromSeconds(60)) || gpg.ExitCode != 0)
        {
            throw new InvalidOperationException($"gpg {string.Join(' ', args)} failed: {error.Result}");
        }
        return output.ToArray();
    }

    public void Dispose()
    {
        var start = new ProcessStartInfo("gpgconf") { RedirectStandardOutput = true, RedirectStandardError = true, ArgumentList = { "--homedir", Directory, "--kill", "all" } };
        using (var kill = Process.Start(start))
        {
            kill?.WaitForExit(TimeSpan.FromSeconds(10));
        }
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
