using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace XenMatchbox.App;

/// <summary>
/// The C library calls .NET does not offer: open(2) with the flags a root program needs,
/// O_NOFOLLOW (never write through a planted link) and O_NONBLOCK (a FIFO must not hang the boot);
/// access(2); and setpriority(2) of one thread. Linux x86-64 values.
/// </summary>
internal static partial class Posix
{
    public const int O_RDONLY = 0;
    public const int O_WRONLY = 0x1;
    public const int O_NONBLOCK = 0x800;
    public const int O_NOFOLLOW = 0x20000;
    public const int O_CLOEXEC = 0x80000;
    public const int ENOENT = 2;
    public const int EACCES = 13;
    public const int ENOTDIR = 20;
    public const int ELOOP = 40;

    /// <summary>Opens an existing file; the handle, or null and errno (as the C library set it).</summary>
    public static SafeFileHandle? Open(string path, int flags, out int errno)
    {
        var fd = open(path, flags | O_CLOEXEC);
        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    public const int W_OK = 2;
    public const int X_OK = 1;

    /// <summary>
    /// Whether the process could use the path as <paramref name="mode"/> says (access(2), by the
    /// real uid), without touching it: null when it could, else the C library's reason.
    /// </summary>
    public static string? Access(string path, int mode) =>
        access(path, mode) == 0 ? null : Message(Marshal.GetLastPInvokeError());

    /// <summary>The C library's text for an errno value.</summary>
    public static string Message(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    /// <summary>
    /// Lowers the calling thread's priority to this nice value (setpriority(2) with PRIO_PROCESS
    /// and the thread's id acts on that thread alone, and any process may raise its own nice
    /// value); nothing when it cannot: the thread then runs at the boot's priority.
    /// </summary>
    public static void LowerThisThreadsPriority(int nice) => _ = setpriority(PRIO_PROCESS, (uint)gettid(), nice);

    private const int PRIO_PROCESS = 0;

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int gettid();

    [LibraryImport("libc", EntryPoint = "setpriority")]
    private static partial int setpriority(int which, uint who, int prio);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "access", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int access(string path, int mode);
}
