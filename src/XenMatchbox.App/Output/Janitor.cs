using System.Diagnostics;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// A root process, started before the privilege drop, that removes the files a restricted run
/// created in libxl's root-only directory (the dropped uid cannot unlink there) unless told the run
/// succeeded, even if this process is killed: end of input without "done" removes them all.
/// </summary>
internal sealed class Janitor : IDisposable
{
    private readonly Process process;

    private Janitor(Process process) => this.process = process;

    /// <summary>Starts /bin/sh watching <paramref name="names"/> in <paramref name="directory"/>.</summary>
    public static Janitor Start(string directory, IEnumerable<string> names)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Reads "keep NAME" lines and "done"; at "done" it removes the files not kept, and at end of
        // input without "done" (a failure, or this process killed) it removes them all.
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("""
            dir=$1; shift; kept=' '
            while IFS= read -r line; do
              case $line in
                done) for f; do case $kept in *" $f "*) ;; *) rm -f -- "$dir/$f" ;; esac; done; exit 0 ;;
                keep\ *) kept="$kept${line#keep } " ;;
              esac
            done
            for f; do rm -f -- "$dir/$f"; done
            """);
        start.ArgumentList.Add("xenmatchbox-janitor");
        start.ArgumentList.Add(directory);
        foreach (var name in names)
        {
            start.ArgumentList.Add(name);
        }
        return new Janitor(Process.Start(start) ?? throw new InvalidOperationException("cannot start /bin/sh"));
    }

    /// <summary>The run succeeded: <paramref name="names"/> stay, the other files go.</summary>
    public void Keep(IEnumerable<string> names)
    {
        try
        {
            foreach (var name in names)
            {
                process.StandardInput.WriteLine($"keep {name}");
            }
            process.StandardInput.WriteLine("done");
        }
        catch (IOException) { }   // it is gone: so are the files, as on failure
        Finish();
    }

    /// <summary>The run failed: every file goes. Never throws.</summary>
    public void RemoveAll() => Finish();

    /// <summary>Closes its input and waits (briefly) until it has done its work.</summary>
    private void Finish()
    {
        try
        {
            process.StandardInput.Close();
            process.WaitForExit(TimeSpan.FromSeconds(Limits.JanitorWaitSeconds));
        }
        catch (Exception e) when (e is IOException or InvalidOperationException) { }
    }

    public void Dispose() => process.Dispose();
}
