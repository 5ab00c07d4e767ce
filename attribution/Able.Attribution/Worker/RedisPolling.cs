namespace Able.Attribution.Worker;

/// <summary>
/// The loop both worker services run: one turn after another until the host stops, a pause after a turn that
/// found nothing to do, and a second's wait whenever Redis is unavailable (<see cref="RedisUnavailable"/>)
/// instead of letting the exception end the service.
/// </summary>
internal static class RedisPolling
{
    /// <summary>How long a loop waits before trying again after Redis was unavailable.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Runs <paramref name="turn"/> until <paramref name="stoppingToken"/> is cancelled. A turn returns the pause
    /// before the next one (<see cref="TimeSpan.Zero"/>: at once); <paramref name="redisUnavailable"/> logs a
    /// turn that Redis failed.
    /// </summary>
    public static async Task RunAsync(
        Func<CancellationToken, Task<TimeSpan>> turn, Action<Exception> redisUnavailable, TimeProvider time, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var pause = await turn(stoppingToken);
                if (pause > TimeSpan.Zero)
                {
                    await Task.Delay(pause, time, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception error) when (RedisUnavailable.Is(error))
            {
                redisUnavailable(error);
                try
                {
                    await Task.Delay(RetryDelay, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }
}
