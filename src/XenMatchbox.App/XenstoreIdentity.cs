using System.ComponentModel;
using System.Diagnostics;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// The domain's uuid and name, read with the xenstore-read command (found on PATH) from the nodes
/// libxl wrote before it ran us. Reading needs root, so a restricted boot reads before the
/// privilege drop. A failure is kept, not thrown: it matters only when a label needs the value.
/// </summary>
internal sealed class XenstoreIdentity
{
    private XenstoreIdentity(Xenstore.DomainIdentity? identity, string? failure)
    {
        Identity = identity;
        Failure = failure;
    }

    public Xenstore.DomainIdentity? Identity { get; }

    /// <summary>Why the identity is unknown, for <see cref="Errors.BootError.DomainLabelUnavailable"/>.</summary>
    public string? Failure { get; }

    public IEnumerable<Tuple<string, string>> Labels =>
        Identity is { } identity ? Xenstore.labels(identity) : [];

    public static XenstoreIdentity Read(CommandLine.Settings settings)
    {
        if (Xenstore.domid(settings.Output, settings.OutputDirectory).AsNullable() is not { } domid)
        {
            return new(null, "libxl's output paths (bootloader.<domid>.out) name no domain; is this run by xl?");
        }
        var start = new ProcessStartInfo("xenstore-read")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var path in Xenstore.paths(domid))
        {
            start.ArgumentList.Add(path);
        }
        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(settings.Limits.ConnectSeconds)))
            {
                process.Kill();
                return new(null, $"xenstore-read did not answer within {settings.Limits.ConnectSeconds} s");
            }
            if (process.ExitCode != 0)
            {
                var first = errors.Result.Split('\n')[0].Trim();
                return new(null, $"xenstore-read exited with status {process.ExitCode}{(first.Length > 0 ? ": " + first : "")}");
            }
            var parsed = Xenstore.parseAnswer(domid, output.Result);
            return parsed.IsOk ? new(parsed.ResultValue, null)
                : new(null, parsed.ErrorValue is Errors.BootError.DomainLabelUnavailable unavailable ? unavailable.detail : Errors.cause(parsed.ErrorValue));
        }
        catch (Win32Exception e)
        {
            return new(null, $"xenstore-read cannot be run ({e.Message}); is this dom0 with the Xen tools installed?");
        }
    }

    public BootFailure Unavailable(string key) =>
        new(Errors.BootError.NewDomainLabelUnavailable(key, Failure ?? "unknown"));
}
