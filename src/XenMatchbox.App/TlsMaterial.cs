using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Win32.SafeHandles;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// The CA and client certificate for matchbox's gRPC API, read once from PEM files. In HTTP-only
/// mode there is no client certificate, and the CA (trusted for https:// assets) is optional.
/// </summary>
internal sealed partial class TlsMaterial(X509Certificate2Collection authorities, X509Certificate2? clientCertificate)
{
    /// <summary>
    /// The most bytes read of one TLS file: a PEM certificate chain or key is a few KiB, so a wrong
    /// path (a disk image, a sparse file) fails at once instead of being read into memory.
    /// </summary>
    private const int MaxFileBytes = 1 << 20;

    public X509Certificate2Collection Authorities { get; } = authorities;
    public X509Certificate2? ClientCertificate { get; } = clientCertificate;

    public static TlsMaterial Load(CommandLine.ServerSettings server)
    {
        var authorities = new X509Certificate2Collection();
        if (server.CaFile.ValueOrNull() is { } caFile)
        {
            try
            {
                authorities.ImportFromPem(ReadText(caFile));
            }
            catch (CryptographicException e)
            {
                throw Unreadable(caFile, e.Message);
            }
            if (authorities.Count == 0)
            {
                throw Unreadable(caFile, "it holds no PEM certificate");
            }
        }
        if (server.Client.ValueOrNull() is not { } client)
        {
            return new TlsMaterial(authorities, null);
        }
        var certText = ReadText(client.CertFile);
        var keyText = ReadText(client.KeyFile);
        try
        {
            return new TlsMaterial(authorities, X509Certificate2.CreateFromPem(certText, keyText));
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
            throw new BootFailure(Errors.BootError.NewTlsKeyMismatch(client.CertFile, client.KeyFile, e.Message), e);
        }
    }

    /// <summary>
    /// The file's text, at most <see cref="MaxFileBytes"/>. It is opened without blocking (a FIFO
    /// would wait for a writer) and must be a regular file: /dev/zero, a FIFO or a directory is
    /// refused before a byte is read.
    /// </summary>
    private static string ReadText(string path)
    {
        var fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
        {
            throw Unreadable(path, Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
        }
        using var handle = new SafeFileHandle((IntPtr)fd, ownsHandle: true);
        var status = new byte[StatSize];
        if (fstat(fd, status) != 0)
        {
            throw Unreadable(path, Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
        }
        var mode = BitConverter.ToUInt32(status, StatModeOffset);
        if ((mode & S_IFMT) != S_IFREG)
        {
            throw Unreadable(path, (mode & S_IFMT) == S_IFDIR ? "it is a directory, not a regular file" : "it is not a regular file");
        }
        try
        {
            var buffer = new byte[MaxFileBytes + 1];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = RandomAccess.Read(handle, buffer.AsSpan(length), length)) > 0)
            {
                length += read;
            }
            if (length > MaxFileBytes)
            {
                throw Unreadable(path, $"it is larger than {MaxFileBytes >> 20} MiB; a PEM certificate or key is a few KiB");
            }
            var text = Encoding.UTF8.GetString(buffer, 0, length);
            return text.StartsWith('\uFEFF') ? text[1..] : text;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unreadable(path, e.Message);
        }
    }

    private static BootFailure Unreadable(string path, string detail) =>
        new(Errors.BootError.NewTlsFileUnreadable(path, detail));

    // Linux x86-64 (the only target): open(2) flags and struct stat's size and st_mode offset.
    private const int O_RDONLY = 0;
    private const int O_NONBLOCK = 0x800;
    private const int O_CLOEXEC = 0x80000;
    private const int StatSize = 256;
    private const int StatModeOffset = 24;
    private const uint S_IFMT = 0xF000;
    private const uint S_IFREG = 0x8000;
    private const uint S_IFDIR = 0x4000;

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fstat", SetLastError = true)]
    private static partial int fstat(int fd, [Out] byte[] status);
}
