using Microsoft.FSharp.Collections;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>The one retry rule of every request to matchbox and to asset servers.</summary>
internal static class Retries
{
    /// <summary>
    /// Runs <paramref name="attempt"/> until it succeeds or fails for good, trying again when and
    /// as long after a failure as <see cref="Transfer.retryAfter"/> says; <paramref name="beforeRetry"/>
    /// undoes what a failed try left behind.
    /// </summary>
    public static async Task<T> RunAsync<T>(Func<Task<T>> attempt, CancellationToken cancel, Action? beforeRetry = null)
    {
        for (var number = 1; ; number++)
        {
            try
            {
                return await attempt();
            }
            catch (BootFailure failure) when (Transfer.retryAfter(number, failure.Error) is { Value: var delay })
            {
                beforeRetry?.Invoke();
                await Task.Delay(delay, cancel);
            }
        }
    }

    /// <summary>
    /// A lookup across the --server hosts, as <see cref="Failover"/> orders the tries: runs
    /// <paramref name="attempt"/> (one try at one route, and the time it may take, which <see cref="Failover.tryTime"/> decides from <paramref name="limits"/> and
    /// the time left before the deadline, read just before the try) until one answers, saying each
    /// step's note through <paramref name="say"/>; the lookup's error when the Domain says it has failed.
    /// </summary>
    public static async Task<T> AcrossServersAsync<T>(
        IEnumerable<Boot.LookupRoute> routes, CommandLine.BootLimits limits, Func<long?> millisecondsLeft,
        Func<Boot.LookupRoute, Limits.TryTime, Task<T>> attempt, Action<string> say, CancellationToken cancel)
    {
        var step = Failover.start(ListModule.OfSeq(routes));
        while (true)
        {
            if (step is not Failover.Step.Ask { Item: var next })
            {
                throw new BootFailure(((Failover.Step.Fail)step).Item);
            }
            if (next.Note.ValueOrNull() is { } note)
            {
                say(note);
            }
            if (next.DelayMilliseconds > 0)
            {
                await Task.Delay(next.DelayMilliseconds, cancel);
            }
            try
            {
                var time = Failover.tryTime(limits, millisecondsLeft().AsOption(), next);
                return await attempt(next.Route, time);
            }
            catch (BootFailure failure) when (!cancel.IsCancellationRequested)
            {
                step = Failover.failed(next, failure.Error);
                if (step.IsStop)
                {
                    // The try's own failure ends the lookup: keep its exception, and what lies under it.
                    throw;
                }
            }
        }
    }
}
