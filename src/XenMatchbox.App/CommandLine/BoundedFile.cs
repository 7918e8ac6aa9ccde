using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace XenMatchbox.App;

/// <summary>
/// Reads a small file an operator names (a TLS file, the configuration file) without trusting it
/// to be one: it is opened without blocking (a FIFO would wait for a writer, and a signal could not
/// end the wait), must be a regular file (not /dev/zero, a FIFO or a directory), and is read up to
/// a cap, so a wrong path fails at once instead of filling memory. A character device (/dev/null
/// as an empty configuration) may be allowed: read without blocking, it is bounded all the same.
/// </summary>
internal static partial class BoundedFile
{
    /// <summary>
    /// The file's bytes. Throws <see cref="FileNotFoundException"/> when there is no such file,
    /// <see cref="DirectoryNotFoundException"/> when a directory on the path is missing,
    /// <see cref="UnauthorizedAccessException"/> without permission, and <see cref="IOException"/>
    /// (its message says why, for an operator) for anything else, including a file that is not a
    /// regular one (or, with <paramref name="allowCharacterDevice"/>, a character device) or holds
    /// more than <paramref name="maxBytes"/> bytes (then a <see cref="FileTooLargeException"/>).
    /// </summary>
    public static byte[] Read(string path, int maxBytes, bool allowCharacterDevice = false)
    {
        using var handle = Posix.Open(path, Posix.O_RDONLY | Posix.O_NONBLOCK, out var errno);
        if (handle is null)
        {
            var message = Posix.Message(errno);
            throw errno switch
            {
                Posix.ENOENT => new FileNotFoundException(message, path),
                Posix.ENOTDIR => new DirectoryNotFoundException(message),
                Posix.EACCES => new UnauthorizedAccessException(message),
                _ => new IOException(message),
            };
        }
        var status = new byte[StatSize];
        if (fstat(handle, status) != 0)
        {
            throw new IOException(Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
        }
        var type = BitConverter.ToUInt32(status, StatModeOffset) & S_IFMT;
        if (type != S_IFREG && !(allowCharacterDevice && type == S_IFCHR))
        {
            throw new IOException(type == S_IFDIR ? "it is a directory" : "it is not a regular file");
        }
        var buffer = new byte[maxBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = RandomAccess.Read(handle, buffer.AsSpan(length), length)) > 0)
        {
            length += read;
        }
        if (length > maxBytes)
        {
            throw new FileTooLargeException($"it is larger than {Size(maxBytes)}");
        }
        return buffer[..length];
    }

    private static string Size(int bytes) => bytes >= 1 << 20 ? $"{bytes >> 20} MiB" : $"{bytes >> 10} KiB";

    // Linux x86-64 (the only target): struct stat's size and st_mode offset, and the file types.
    private const int StatSize = 256;
    private const int StatModeOffset = 24;
    private const uint S_IFMT = 0xF000;
    private const uint S_IFREG = 0x8000;
    private const uint S_IFDIR = 0x4000;
    private const uint S_IFCHR = 0x2000;

    [LibraryImport("libc", EntryPoint = "fstat", SetLastError = true)]
    private static partial int fstat(SafeFileHandle fd, [Out] byte[] status);
}

/// <summary>The file holds more bytes than the cap <see cref="BoundedFile.Read"/> was given.</summary>
internal sealed class FileTooLargeException(string message) : IOException(message);
