using System.Runtime.InteropServices;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// The one place a run ends. SIGTERM, SIGINT and SIGHUP (libxl's ways to stop a bootloader) and
/// the deadline cancel <see cref="Token"/>; whatever fails is reported as one line on stderr with
/// its error's exit status, and nothing of the run is left behind: the files it wrote are removed
/// and libxl's output file is left empty.
/// </summary>
internal sealed class RunGuard : IDisposable
{
    private readonly CancellationTokenSource interrupt = new();
    private readonly CancellationTokenSource deadline = new();
    private readonly CancellationTokenSource either;
    private readonly PosixSignalRegistration[] signals;
    private string? signal;
    private int? deadlineSeconds;
    private readonly System.Diagnostics.Stopwatch sinceDeadlineStarted = new();

    private RunGuard()
    {
        either = CancellationTokenSource.CreateLinkedTokenSource(interrupt.Token, deadline.Token);
        signals = [.. new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGHUP }.Select(s => PosixSignalRegistration.Create(s, Stop))];
    }

    /// <summary>Cancelled by a signal or at the deadline.</summary>
    public CancellationToken Token => either.Token;

    /// <summary>The files the run writes; removed when it fails.</summary>
    public OutputFiles Files { get; set; } = OutputFiles.Unrestricted(linkCachedFiles: false);

    /// <summary>libxl's output file, once opened; left empty when the run fails.</summary>
    public ResultFile? Result { get; set; }

    /// <summary>Starts the deadline (none for null).</summary>
    public void StartDeadline(int? seconds)
    {
        deadlineSeconds = seconds;
        if (seconds is { } s)
        {
            sinceDeadlineStarted.Start();
            deadline.CancelAfter(TimeSpan.FromSeconds(s));
        }
    }

    /// <summary>The milliseconds left before the deadline (negative once it has passed); null when there is none.</summary>
    public long? MillisecondsLeft() =>
        deadlineSeconds is { } s ? s * 1000L - sinceDeadlineStarted.ElapsedMilliseconds : null;

    /// <summary>Runs <paramref name="run"/>; its exit status, the one it returns (check's verdict, 0 for a run that finished).</summary>
    public static async Task<int> RunAsync(Func<RunGuard, Task<int>> run)
    {
        using var guard = new RunGuard();
        try
        {
            return await run(guard);
        }
        catch (Exception e)
        {
            // Whatever failed after a signal or the deadline failed because of it.
            var error = guard.interrupt.IsCancellationRequested ? RunError.NewInterrupted(guard.signal ?? "a signal")
                : guard.deadline.IsCancellationRequested ? RunError.NewDeadlineExceeded(guard.deadlineSeconds ?? 0)
                : e is BootFailure failure ? failure.Error
                : Errors.BootError.NewUnexpected(e.Message);
            guard.Files.RemoveAll();
            guard.Result?.LeaveEmpty();
            await StandardStreams.Error.WriteLineAsync($"xenmatchbox: {Errors.describe(error)}");
            return Errors.exitCode(error);
        }
    }

    private void Stop(PosixSignalContext context)
    {
        context.Cancel = true;
        signal ??= $"SIG{context.Signal.ToString()[3..]}";
        interrupt.Cancel();
    }

    public void Dispose()
    {
        Result?.Dispose();
        Files.Dispose();
        foreach (var registration in signals)
        {
            registration.Dispose();
        }
        either.Dispose();
        interrupt.Dispose();
        deadline.Dispose();
    }
}
