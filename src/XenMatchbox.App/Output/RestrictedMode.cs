using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// libxl's restricted mode (--runas): everything root-only has happened (the result file and the
/// TLS keys opened and read, xenstore read); now the output files are created in libxl's root-only
/// directory and privileges are dropped for good, before any byte is sent to or read from the
/// network.
/// </summary>
internal static class RestrictedMode
{
    /// <summary>Creates <paramref name="names"/> in <paramref name="directory"/> (with a root janitor) and drops to <paramref name="uid"/>.</summary>
    public static OutputFiles Enter(string directory, IEnumerable<string> names, int uid)
    {
        var files = OutputFiles.Restricted(directory, [.. names]);
        try
        {
            Privileges.DropTo(uid);
        }
        catch
        {
            files.RemoveAll();
            files.Dispose();
            throw;
        }
        return files;
    }
}
