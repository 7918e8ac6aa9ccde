using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace XenMatchbox.App;

/// <summary>
/// What tells one file's bytes from another's without reading them (stat(2)): its device and
/// inode, its size, and its modification and change times to the nanosecond. A file replaced by a
/// rename has another inode; one written in place has another change time (which no caller can set).
/// </summary>
internal readonly partial record struct FileIdentity(ulong Device, ulong Inode, long Size, long ModifiedSeconds, long ModifiedNanoseconds, long ChangedSeconds, long ChangedNanoseconds)
{
    /// <summary>Of the file the handle holds open; null when fstat fails.</summary>
    public static FileIdentity? Of(SafeFileHandle file)
    {
        var status = new byte[StatSize];
        var added = false;
        try
        {
            file.DangerousAddRef(ref added);
            return fstat((int)file.DangerousGetHandle(), status) == 0 ? Read(status) : null;
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    /// <summary>Of the file a path names now (links followed); null when stat fails.</summary>
    public static FileIdentity? Of(string path)
    {
        var status = new byte[StatSize];
        return stat(path, status) == 0 ? Read(status) : null;
    }

    // Linux x86-64's struct stat: st_dev at 0, st_ino at 8, st_size at 48, st_mtim at 88 and
    // st_ctim at 104 (each seconds, then nanoseconds).
    private const int StatSize = 256;

    private static FileIdentity Read(byte[] status) => new(
        BitConverter.ToUInt64(status, 0),
        BitConverter.ToUInt64(status, 8),
        BitConverter.ToInt64(status, 48),
        BitConverter.ToInt64(status, 88),
        BitConverter.ToInt64(status, 96),
        BitConverter.ToInt64(status, 104),
        BitConverter.ToInt64(status, 112));

    [LibraryImport("libc", EntryPoint = "fstat")]
    private static partial int fstat(int descriptor, [Out] byte[] status);

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int stat(string path, [Out] byte[] status);
}
