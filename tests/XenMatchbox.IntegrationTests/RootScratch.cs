using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// Where the tests keep their temporary files when they run as root, as CI runs them. Run as root,
/// xenmatchbox reads a configuration, key or TLS file only when root alone can change it and every
/// directory above it (XMB-118), and /tmp is writable by everyone: a file under it is never safe.
/// So, as root, the test assembly's TMPDIR (which <see cref="Path.GetTempPath"/> and
/// <see cref="Directory.CreateTempSubdirectory(string?)"/> honour, and which every program the tests
/// start inherits: xenmatchbox, gpg, sqv) is a fresh directory under /run, root's and mode 0755:
/// not writable by anyone else, and still passable for the restricted uid of RestrictedModeTests,
/// as /tmp was. Each temporary directory in it is made 0700, as before. Paths stay short, so
/// gpg-agent's socket still fits a sockaddr_un. The directory is removed when the tests end.
/// A run that is not root changes nothing: xenmatchbox judges no file then.
/// </summary>
internal static class RootScratch
{
    /// <summary>The parent of the directory: root's, and writable by root alone on a Linux host.</summary>
    private const string Parent = "/run";

    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "The test assembly's own set-up: TMPDIR must be set before any test or fixture makes a temporary file.")]
    internal static void UseRootOnlyTemporaryDirectory()
    {
        if (!Host.IsRoot)
        {
            return;
        }
        var writableByOthers = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;
        if ((File.GetUnixFileMode(Parent) & writableByOthers) != 0 || (File.GetUnixFileMode("/") & writableByOthers) != 0)
        {
            throw new InvalidOperationException($"{Parent} (or /) is writable by others: the tests need a root-only place for their temporary files");
        }
        var directory = Path.Combine(Parent, $"xenmatchbox-tests.{Guid.NewGuid():N}"[..30]);
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        Environment.SetEnvironmentVariable("TMPDIR", directory);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        };
    }
}
