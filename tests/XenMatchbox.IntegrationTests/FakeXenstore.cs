namespace XenMatchbox.IntegrationTests;

/// <summary>A stand-in for dom0's xenstore-read, on PATH, that knows one domain.</summary>
public static class FakeXenstore
{
    /// <summary>
    /// Writes the stand-in under <paramref name="parent"/> and returns the environment that puts it
    /// first on PATH; it answers for domain <paramref name="domid"/> only, as xenstore-read does:
    /// one value per line, in the order of the paths asked for.
    /// </summary>
    public static Dictionary<string, string> For(string parent, int domid, string uuid, string name)
    {
        var bin = Directory.CreateDirectory(Path.Combine(parent, $"xenstore-{domid}-{Guid.NewGuid():N}")).FullName;
        var script = Path.Combine(bin, "xenstore-read");
        File.WriteAllText(script, $"""
            #!/bin/sh
            for path; do
              case $path in
                /local/domain/{domid}/vm) echo /vm/{uuid} ;;
                /local/domain/{domid}/name) echo {name} ;;
                *) echo "xenstore-read: couldn't read path $path" >&2; exit 1 ;;
              esac
            done

            """);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new Dictionary<string, string> { ["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}" };
    }
}
