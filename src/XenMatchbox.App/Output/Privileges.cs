using System.Runtime.InteropServices;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// libxl's restricted mode starts the bootloader as root with --runas=UID and expects it to drop to
/// that uid itself, for good, before it touches the network. The group becomes the same number
/// (libxl passes only a uid) and every supplementary group is dropped.
/// </summary>
internal static partial class Privileges
{
    public static void DropTo(int uid)
    {
        Check(uid, setgroups(0, 0) == 0, "setgroups");
        Check(uid, setgid((uint)uid) == 0, "setgid");
        Check(uid, setuid((uint)uid) == 0, "setuid");
        if (getuid() != (uint)uid || geteuid() != (uint)uid || getgid() != (uint)uid || getegid() != (uint)uid)
        {
            throw new BootFailure(RunError.NewPrivilegeDropFailed(uid, "the ids did not change"));
        }
        // For good: the saved set-user-id is gone too, so root cannot be taken back.
        if (setuid(0) == 0)
        {
            throw new BootFailure(RunError.NewPrivilegeDropFailed(uid, "root could be regained"));
        }
    }

    private static void Check(int uid, bool succeeded, string call)
    {
        if (!succeeded)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new BootFailure(RunError.NewPrivilegeDropFailed(uid, $"{call} failed: {Marshal.GetPInvokeErrorMessage(errno)}"));
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setgroups(nuint size, nint list);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setgid(uint gid);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setuid(uint uid);

    [LibraryImport("libc")]
    private static partial uint getuid();

    [LibraryImport("libc")]
    private static partial uint geteuid();

    [LibraryImport("libc")]
    private static partial uint getgid();

    [LibraryImport("libc")]
    private static partial uint getegid();
}
