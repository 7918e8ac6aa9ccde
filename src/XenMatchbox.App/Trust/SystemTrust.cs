using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace XenMatchbox.App;

/// <summary>
/// The system's trust anchors, read only when an https:// asset needs them.
/// <para>.NET on Linux reads the whole system store (hundreds of PEM files) before it verifies any
/// TLS certificate, even one checked against a custom root only, as the matchbox gRPC API is. That
/// costs ~75 ms per boot on a dom0, more than the rest of a cached boot together. So the first thing
/// the process does is point OpenSSL's store variables at nothing (in the native environment, which
/// is what .NET's store reader consults), and the asset downloader reads the real anchors itself, once,
/// the first time a server certificate is not signed by the matchbox CA.</para>
/// </summary>
internal static partial class SystemTrust
{
    private const string FileVariable = "SSL_CERT_FILE";
    private const string DirectoryVariable = "SSL_CERT_DIR";

    /// <summary>Where distributions keep their CA bundle, when SSL_CERT_FILE does not say.</summary>
    private static readonly string[] KnownBundles =
    [
        "/etc/ssl/certs/ca-certificates.crt",   // Debian, Ubuntu, Alpine, Arch, Gentoo
        "/etc/pki/tls/certs/ca-bundle.crt",     // Fedora, RHEL, CentOS
        "/etc/ssl/ca-bundle.pem",               // openSUSE
        "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
        "/etc/ssl/cert.pem",                    // Alpine, Void
    ];

    private static string? bundle;
    private static string? directory;
    private static readonly Lazy<X509Certificate2Collection> Anchors = new(Load);

    /// <summary>Call first thing in Main, before any TLS: remembers the operator's settings, then hides the store.</summary>
    public static void DeferLoading()
    {
        bundle = Environment.GetEnvironmentVariable(FileVariable);
        directory = Environment.GetEnvironmentVariable(DirectoryVariable);
        // .NET keeps its own copy of the environment, so child processes still get the original values.
        _ = setenv(FileVariable, "/dev/null", 1);
        _ = setenv(DirectoryVariable, "", 1);
    }

    /// <summary>The system's CA certificates (empty when none can be read).</summary>
    public static X509Certificate2Collection Authorities => Anchors.Value;

    private static X509Certificate2Collection Load()
    {
        var anchors = new X509Certificate2Collection();
        var file = !string.IsNullOrEmpty(bundle) ? bundle : KnownBundles.FirstOrDefault(File.Exists);
        if (file is not null)
        {
            Import(anchors, file);
        }
        foreach (var dir in (directory ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            try
            {
                foreach (var entry in Directory.EnumerateFiles(dir))
                {
                    Import(anchors, entry);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return anchors;
    }

    private static void Import(X509Certificate2Collection anchors, string path)
    {
        try
        {
            anchors.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException) { }
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);
}
