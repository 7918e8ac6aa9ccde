using System.Diagnostics;
using System.Xml.Linq;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// The release the published program should name: Version in Directory.Build.props, and the commit
/// git says the work tree is at (12 hex digits), or "unknown commit" in a tree without git.
/// </summary>
public static class Release
{
    public static string Version { get; } =
        XDocument.Load(Path.Combine(PublishedProgram.RepositoryRoot, "Directory.Build.props")).Descendants("Version").Single().Value;

    public static string Commit { get; } = ReadCommit();

    private static string ReadCommit()
    {
        if (!Directory.Exists(Path.Combine(PublishedProgram.RepositoryRoot, ".git")) && !File.Exists(Path.Combine(PublishedProgram.RepositoryRoot, ".git")))
        {
            return "unknown commit";
        }
        var start = new ProcessStartInfo("git", ["rev-parse", "--short=12", "HEAD"])
        {
            WorkingDirectory = PublishedProgram.RepositoryRoot,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        var commit = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return $"commit {commit}";
    }
}
