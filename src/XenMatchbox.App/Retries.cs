using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>The one retry rule of every request to matchbox and to asset servers.</summary>
internal static class Retries
{
    /// <summary>
    /// Runs <paramref name="attempt"/> until it succeeds, fails for good (an error
    /// <see cref="Transfer.isTransient"/> does not name), or has been tried
    /// <see cref="Transfer.MaxAttempts"/> times, waiting <see cref="Transfer.backoffMilliseconds"/>
    /// between tries; <paramref name="beforeRetry"/> undoes what a failed try left behind.
    /// </summary>
    public static async Task<T> RunAsync<T>(Func<Task<T>> attempt, CancellationToken cancel, Action? beforeRetry = null)
    {
        for (var number = 1; ; number++)
        {
            try
            {
                return await attempt();
            }
            catch (BootFailure failure) when (number < Transfer.MaxAttempts && Transfer.isTransient(failure.Error))
            {
                beforeRetry?.Invoke();
                await Task.Delay(Transfer.backoffMilliseconds(number + 1), cancel);
            }
        }
    }
}
