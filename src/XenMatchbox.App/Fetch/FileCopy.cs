using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace XenMatchbox.App;

/// <summary>
/// Putting a file's bytes into another without moving them through this process where the kernel
/// can do it: a hard link, a reflink (FICLONE: btrfs, XFS), or copy_file_range; a plain copy last.
/// </summary>
internal static partial class FileCopy
{
    private const ulong FICLONE = 0x40049409;
    private const int BufferSize = 1 << 20;

    /// <summary>Links <paramref name="target"/> to the file at <paramref name="source"/>; false if the file system will not.</summary>
    public static bool TryHardLink(string source, string target) => link(source, target) == 0;

    /// <summary>
    /// Appends all of <paramref name="source"/> to <paramref name="target"/> at <paramref name="offset"/>
    /// (an empty target gets a reflink where the file system allows it); returns the bytes added.
    /// </summary>
    public static long Append(SafeFileHandle source, SafeFileHandle target, long offset)
    {
        var length = RandomAccess.GetLength(source);
        if (offset == 0 && RandomAccess.GetLength(target) == 0 && ioctl(target.DangerousGetHandle().ToInt32(), FICLONE, source.DangerousGetHandle()) == 0)
        {
            return length;
        }
        long copied = 0;
        while (copied < length)
        {
            long from = copied, to = offset + copied;
            var n = copy_file_range(source.DangerousGetHandle().ToInt32(), ref from, target.DangerousGetHandle().ToInt32(), ref to, (nuint)Math.Min(length - copied, 1L << 30), 0);
            if (n <= 0)
            {
                // Not supported here (another file system, an old kernel): the bytes go through us.
                return copied + CopyThrough(source, target, copied, offset + copied, length - copied);
            }
            copied += n;
        }
        return copied;
    }

    private static long CopyThrough(SafeFileHandle source, SafeFileHandle target, long from, long to, long count)
    {
        var buffer = new byte[BufferSize];
        long done = 0;
        while (done < count)
        {
            var read = RandomAccess.Read(source, buffer.AsSpan(0, (int)Math.Min(buffer.Length, count - done)), from + done);
            if (read == 0)
            {
                throw new IOException("the cached file shrank while it was copied");
            }
            RandomAccess.Write(target, buffer.AsSpan(0, read), to + done);
            done += read;
        }
        return done;
    }

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int link(string oldpath, string newpath);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int ioctl(int fd, ulong request, nint argument);

    [LibraryImport("libc", EntryPoint = "copy_file_range", SetLastError = true)]
    private static partial nint copy_file_range(int fdIn, ref long offIn, int fdOut, ref long offOut, nuint len, uint flags);
}
