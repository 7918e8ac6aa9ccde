using System.Runtime.InteropServices;
using Microsoft.FSharp.Core;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// What lstat(2) says of one path, for the Domain's Ownership rule, which walks a path and judges
/// whether root alone can change what it leads to. A symbolic link is never followed here: its
/// target comes from readlink(2), and the Domain walks on from there.
/// </summary>
internal static partial class PathFacts
{
    /// <summary>The examiner of a run as root (euid 0); none otherwise, when no file is judged.</summary>
    public static FSharpOption<Ownership.Examiner> ForThisRun() =>
        Environment.IsPrivilegedProcess
            ? FSharpOption<Ownership.Examiner>.Some(new Ownership.Examiner(FuncConvert.FromFunc<string, Ownership.Entry>(Examine), Environment.CurrentDirectory))
            : FSharpOption<Ownership.Examiner>.None;

    public static Ownership.Entry Examine(string path)
    {
        var status = new byte[StatSize];
        if (lstat(path, status) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno is Posix.ENOENT or Posix.ENOTDIR
                ? Ownership.Entry.Missing
                : Ownership.Entry.NewUnexaminable(Posix.Message(errno));
        }
        var mode = BitConverter.ToUInt32(status, StatModeOffset);
        var owner = (int)BitConverter.ToUInt32(status, StatUidOffset);
        var permissions = (int)(mode & 0xFFF);
        return (mode & S_IFMT) switch
        {
            S_IFDIR => Ownership.Entry.NewDirectory(owner, permissions),
            S_IFLNK => Target(path),
            S_IFCHR or S_IFBLK => Ownership.Entry.NewDevice(owner),
            _ => Ownership.Entry.NewFile(owner, permissions),
        };
    }

    /// <summary>A link's target; a link that cannot be read is judged as one that cannot be examined.</summary>
    private static Ownership.Entry Target(string path)
    {
        var buffer = new byte[LinkMax];
        var length = (int)readlink(path, buffer, (nuint)buffer.Length);
        if (length < 0)
        {
            return Ownership.Entry.NewUnexaminable(Posix.Message(Marshal.GetLastPInvokeError()));
        }
        return length == buffer.Length
            ? Ownership.Entry.NewUnexaminable("its target is longer than PATH_MAX")
            : Ownership.Entry.NewLink(System.Text.Encoding.UTF8.GetString(buffer, 0, length));
    }

    // Linux x86-64 (the only target): struct stat's size, the offsets of st_mode and st_uid, and
    // the file types; PATH_MAX for a link's target.
    private const int StatSize = 256;
    private const int StatModeOffset = 24;
    private const int StatUidOffset = 28;
    private const uint S_IFMT = 0xF000;
    private const uint S_IFDIR = 0x4000;
    private const uint S_IFLNK = 0xA000;
    private const uint S_IFCHR = 0x2000;
    private const uint S_IFBLK = 0x6000;
    private const int LinkMax = 4096;

    [LibraryImport("libc", EntryPoint = "lstat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int lstat(string path, [Out] byte[] status);

    [LibraryImport("libc", EntryPoint = "readlink", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial nint readlink(string path, [Out] byte[] buffer, nuint size);
}
