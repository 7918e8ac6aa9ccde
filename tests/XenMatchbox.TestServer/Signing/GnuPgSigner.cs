using System.Diagnostics;

namespace XenMatchbox.TestServer;

/// <summary>
/// Signs with GnuPG (<c>gpg --detach-sign --textmode</c>), an OpenPGP implementation independent of
/// the one xenmatchbox verifies with: the key <paramref name="keyId"/> of the keyring in
/// <paramref name="home"/>, which must have no passphrase; <paramref name="fakedSystemTime"/> (GnuPG's
/// --faked-system-time, e.g. 20200601T000000) dates the signatures, for a key that has expired since.
/// </summary>
public sealed class GnuPgSigner(string home, string keyId, string? fakedSystemTime = null) : IDetachedSigner
{
    /// <inheritdoc/>
    public byte[] SignText(byte[] document, bool armour)
    {
        var start = new ProcessStartInfo("gpg")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { "--homedir", home, "--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--local-user", keyId, "--detach-sign", "--textmode" })
        {
            start.ArgumentList.Add(arg);
        }
        if (armour)
        {
            start.ArgumentList.Add("--armor");
        }
        if (fakedSystemTime is not null)
        {
            start.ArgumentList.Add("--faked-system-time");
            start.ArgumentList.Add(fakedSystemTime);
        }
        using var gpg = Process.Start(start) ?? throw new InvalidOperationException("gpg did not start");
        var error = gpg.StandardError.ReadToEndAsync();
        using var signature = new MemoryStream();
        var output = gpg.StandardOutput.BaseStream.CopyToAsync(signature);
        gpg.StandardInput.BaseStream.Write(document);
        gpg.StandardInput.Close();
        output.Wait(TimeSpan.FromSeconds(30));
        if (!gpg.WaitForExit(TimeSpan.FromSeconds(30)) || gpg.ExitCode != 0)
        {
            throw new InvalidOperationException($"gpg could not sign: {error.Result}");
        }
        return signature.ToArray();
    }
}
