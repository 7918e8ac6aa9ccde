using System.Diagnostics;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// A fact that needs root: mounting a small file system, or starting the bootloader as root so it
/// can drop to --runas as libxl's restricted mode expects. CI runs as root; elsewhere the test is
/// skipped with this reason shown.
/// </summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute() => Skip = Host.RootSkipReason;
}

/// <summary>A theory that needs root, as <see cref="RootFactAttribute"/>.</summary>
public sealed class RootTheoryAttribute : TheoryAttribute
{
    public RootTheoryAttribute() => Skip = Host.RootSkipReason;
}

public static class Host
{
    public static bool IsRoot { get; } = File.ReadLines("/proc/self/status").Any(l => l.StartsWith("Uid:\t0\t", StringComparison.Ordinal));

    /// <summary>Null as root; otherwise why a root-only test is skipped.</summary>
    public static string? RootSkipReason =>
        IsRoot ? null : "needs root (mounts a small file system or drops privileges, as libxl's bootloader does)";

    /// <summary>A TCP port of 127.0.0.1 that nothing listens on (it was free a moment ago).</summary>
    public static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>Sends a signal the way libxl does (kill(2)); .NET's Process.Kill only sends SIGKILL.</summary>
    public static void Signal(Process process, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, process.Id.ToString()])!;
        kill.WaitForExit();
    }

    /// <summary>Waits (at most 20 s) until <paramref name="condition"/> holds.</summary>
    public static async Task Until(Func<bool> condition, string what)
    {
        for (var waited = 0; !condition(); waited += 50)
        {
            if (waited > 20_000)
            {
                throw new TimeoutException($"gave up waiting for {what}");
            }
            await Task.Delay(50);
        }
    }
}

/// <summary>A tmpfs of a few hundred KiB mounted over a directory for one test, then unmounted.</summary>
public sealed class SmallFilesystem : IDisposable
{
    private readonly string mountPoint;

    public SmallFilesystem(string mountPoint, string options)
    {
        this.mountPoint = mountPoint;
        Run("mount", "-t", "tmpfs", "-o", options, "xmb-test", mountPoint);
    }

    public void Dispose() => Run("umount", mountPoint);

    private static void Run(string command, params string[] args)
    {
        using var process = Process.Start(command, args)!;
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', args)} exited {process.ExitCode}");
        }
    }
}
