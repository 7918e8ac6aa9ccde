using System.ComponentModel;
using System.Diagnostics;
using Microsoft.FSharp.Collections;
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

    /// <summary>Why the identity is unknown, for <see cref="LookupError.DomainLabelUnavailable"/>.</summary>
    public string? Failure { get; }

    public IEnumerable<Tuple<string, string>> Labels =>
        Identity is { } identity ? Xenstore.labels(identity) : [];

    /// <summary>
    /// Runs xenstore-read for the domain's nodes. A xenstore-read that does not answer within
    /// --connect-timeout is killed (with whatever it started) and reaped, and the identity stays
    /// unknown; at the boot's deadline or on a signal (<paramref name="cancel"/>) it is killed and
    /// reaped the same way and the cancellation is thrown, so the boot ends on time.
    /// </summary>
    public static async Task<XenstoreIdentity> ReadAsync(CommandLine.Settings settings, CancellationToken cancel)
    {
        if (Xenstore.domid(settings.Output, settings.OutputDirectory).AsNullable() is not { } domid)
        {
            return new(null, Xenstore.NotUnderXl);
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
            var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
            using var answer = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            answer.CancelAfter(TimeSpan.FromSeconds(settings.Limits.ConnectSeconds));
            try
            {
                await process.WaitForExitAsync(answer.Token);
                // A child it left behind may hold the pipes open: that is no answer either.
                await Task.WhenAll(output, errors).WaitAsync(answer.Token);
            }
            catch (OperationCanceledException)
            {
                KillAndReap(process);
                cancel.ThrowIfCancellationRequested();
                return new(null, $"xenstore-read did not answer within {settings.Limits.ConnectSeconds} s");
            }
            if (process.ExitCode != 0)
            {
                var first = errors.Result.Split('\n')[0].Trim();
                return new(null, $"xenstore-read exited with status {process.ExitCode}{(first.Length > 0 ? ": " + first : "")}");
            }
            var parsed = Xenstore.parseAnswer(domid, output.Result);
            return parsed.IsOk ? new(parsed.ResultValue, null)
                : new(null, parsed.ErrorValue is Errors.BootError.Lookup { Item: LookupError.DomainLabelUnavailable unavailable } ? unavailable.detail : Errors.cause(parsed.ErrorValue));
        }
        catch (Win32Exception e)
        {
            return new(null, $"xenstore-read cannot be run ({e.Message}); is this dom0 with the Xen tools installed?");
        }
    }

    /// <summary>Kills xenstore-read and every process it started, and waits for it to be gone.</summary>
    private static void KillAndReap(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception)
        {
            // It exited on its own meanwhile.
        }
        process.WaitForExit(TimeSpan.FromSeconds(Limits.ReapWaitSeconds));
    }

    /// <summary>The failure for the keys a label or the args need (the Domain's fix names each with --lookup).</summary>
    public BootFailure Unavailable(IEnumerable<string> keys) =>
        new(LookupError.NewDomainLabelUnavailable(ListModule.OfSeq(keys), Failure ?? "unknown"));
}
