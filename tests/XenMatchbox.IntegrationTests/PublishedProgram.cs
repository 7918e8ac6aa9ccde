using System.Diagnostics;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// The programs under test: the NativeAOT executable (what dom0 gets) and the same program on the
/// JIT. scripts/test publishes both into artifacts/; a bare `dotnet test` publishes them here first.
/// </summary>
public static class PublishedProgram
{
    private static readonly Lazy<(string Aot, string Jit)> Paths = new(Publish);

    public static string AotExecutable => Paths.Value.Aot;

    public static string JitAssembly => Paths.Value.Jit;

    public static string RepositoryRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "XenMatchbox.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("XenMatchbox.sln not found above the test directory");
    }

    private static (string, string) Publish()
    {
        var aot = Path.Combine(RepositoryRoot, "artifacts", "aot", "xenmatchbox");
        var jit = Path.Combine(RepositoryRoot, "artifacts", "jit", "xenmatchbox.dll");
        if (!File.Exists(aot))
        {
            Dotnet("publish", "-o", "artifacts/aot");
        }
        if (!File.Exists(jit))
        {
            Dotnet("build", "-o", "artifacts/jit");
        }
        return (aot, jit);
    }

    private static void Dotnet(string command, params string[] extra)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = RepositoryRoot };
        foreach (var arg in new[] { command, "src/XenMatchbox.App", "-c", "Release", "-nologo", "-v", "quiet" }.Concat(extra))
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)) || process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet {command} {string.Join(' ', extra)} failed");
        }
    }
}
