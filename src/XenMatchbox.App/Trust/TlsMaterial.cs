using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// The CA and client certificate for matchbox's gRPC API, and the CA of its HTTPS certificate
/// (--web-ca), read once from PEM files. In HTTP-only mode there is no client certificate, and the
/// CAs (trusted for matchbox's HTTPS API and https:// assets) are optional.
/// </summary>
internal sealed class TlsMaterial(
    X509Certificate2Collection authorities, X509Certificate2Collection webAuthorities, X509Certificate2? clientCertificate,
    string? authoritiesFile = null, string? webAuthoritiesFile = null)
{
    /// <summary>The --ca file, as given; null without one.</summary>
    public string? AuthoritiesFile { get; } = authoritiesFile;

    /// <summary>The --web-ca file, as given; null without one.</summary>
    public string? WebAuthoritiesFile { get; } = webAuthoritiesFile;

    /// <summary>--ca: the only CA trusted for gRPC; trusted besides the system store for HTTPS.</summary>
    public X509Certificate2Collection Authorities { get; } = authorities;

    /// <summary>--web-ca: trusted, besides the system store and --ca, for HTTPS only.</summary>
    public X509Certificate2Collection WebAuthorities { get; } = webAuthorities;

    public X509Certificate2? ClientCertificate { get; } = clientCertificate;

    /// <summary>The certificates of a set of anchors the Domain names (the system store's read on first need).</summary>
    public X509Certificate2Collection Anchors(TlsFailure.Anchors anchors) =>
        anchors.IsSystemStore ? SystemTrust.Authorities : anchors.IsWebCa ? WebAuthorities : Authorities;

    /// <summary>Each certificate read, with the flag and file that named it: for expiry warnings and check.</summary>
    public IEnumerable<Check.Certificate> Described(CommandLine.ServerSettings server)
    {
        static IEnumerable<Check.Certificate> Of(string flag, string? path, IEnumerable<X509Certificate2> certificates) =>
            path is null ? [] : certificates.Select(c => new Check.Certificate(flag, path, c.Subject, new DateTimeOffset(c.NotAfter.ToUniversalTime(), TimeSpan.Zero)));
        return Of("--ca", server.CaFile.ValueOrNull(), Authorities)
            .Concat(Of("--cert", server.Client.ValueOrNull()?.CertFile, ClientCertificate is { } client ? [client] : []))
            .Concat(Of("--web-ca", server.WebCaFile.ValueOrNull(), WebAuthorities));
    }

    public static TlsMaterial Load(CommandLine.ServerSettings server)
    {
        var authorities = ReadAuthorities(server.CaFile.ValueOrNull());
        var webAuthorities = ReadAuthorities(server.WebCaFile.ValueOrNull());
        var (caFile, webCaFile) = (server.CaFile.ValueOrNull(), server.WebCaFile.ValueOrNull());
        if (server.Client.ValueOrNull() is not { } client)
        {
            return new TlsMaterial(authorities, webAuthorities, null, caFile, webCaFile);
        }
        var certText = ReadText(client.CertFile);
        var keyText = ReadText(client.KeyFile);
        try
        {
            return new TlsMaterial(authorities, webAuthorities, X509Certificate2.CreateFromPem(certText, keyText), caFile, webCaFile);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            // Tell a broken file apart from a certificate and key that do not belong together.
            if (!certText.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            {
                throw Unreadable(client.CertFile, "it holds no PEM certificate");
            }
            if (!keyText.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
            {
                throw Unreadable(client.KeyFile, "it holds no PEM private key");
            }
            throw new BootFailure(LookupError.NewTlsKeyMismatch(client.CertFile, client.KeyFile, e.Message), e);
        }
    }

    /// <summary>The certificates of a PEM CA file (none without a file); one without any is unreadable.</summary>
    private static X509Certificate2Collection ReadAuthorities(string? path)
    {
        var authorities = new X509Certificate2Collection();
        if (path is null)
        {
            return authorities;
        }
        try
        {
            authorities.ImportFromPem(ReadText(path));
        }
        catch (CryptographicException e)
        {
            throw Unreadable(path, e.Message);
        }
        return authorities.Count > 0 ? authorities : throw Unreadable(path, "it holds no PEM certificate");
    }

    /// <summary>The file's text, at most <see cref="Limits.MaxTlsFileBytes"/>, from a regular file (see <see cref="BoundedFile"/>).</summary>
    private static string ReadText(string path)
    {
        try
        {
            var text = Encoding.UTF8.GetString(BoundedFile.Read(path, Limits.MaxTlsFileBytes));
            return text.StartsWith('\uFEFF') ? text[1..] : text;
        }
        catch (FileTooLargeException e)
        {
            throw Unreadable(path, $"{e.Message}; a PEM certificate or key is a few KiB");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unreadable(path, e.Message);
        }
    }

    private static BootFailure Unreadable(string path, string detail) =>
        new(LookupError.NewTlsFileUnreadable(path, detail));
}
