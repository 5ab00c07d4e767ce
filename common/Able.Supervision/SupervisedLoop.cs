using Microsoft.Extensions.Logging;

namespace Able.Supervision;

/// <summary>
/// Runs a background loop turn after turn until the host stops. A turn that Redis or the network fails
/// (<see cref="TransientFailure.IsRedisOrNetwork"/>) starts or continues an outage: the loop waits with a bounded,
/// jittered exponential backoff (<see cref="FirstRetryDelay"/> doubling up to <see cref="LongestRetryDelay"/>) and tries
/// again, logging once when the outage starts and once when it ends, and <see cref="LoopHealth"/> shows it. Any other
/// exception is a defect: it is logged as Critical and ends the loop, which stops the host with a non-zero exit code
/// (see <c>AbleHost.RunAsync</c>), so systemd, Kubernetes or compose restart the process instead of leaving it half alive.
/// </summary>
public static partial class SupervisedLoop
{
    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(250);

    public static readonly TimeSpan LongestRetryDelay = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Runs <paramref name="turn"/> until <paramref name="stoppingToken"/> is cancelled. A turn returns the pause before the
    /// next one (<see cref="TimeSpan.Zero"/>: at once).
    /// </summary>
    public static async Task RunAsync(
        string loop,
        Func<CancellationToken, Task<TimeSpan>> turn,
        LoopHealth health,
        TimeProvider time,
        ILogger logger,
        CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(turn);
        ArgumentNullException.ThrowIfNull(health);
        ArgumentNullException.ThrowIfNull(time);
        health.Register(loop);
        var retryDelay = FirstRetryDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan pause;
            try
            {
                pause = await turn(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error) when (error is OperationCanceledException || TransientFailure.IsRedisOrNetwork(error))
            {
                // An OperationCanceledException here is not the host stopping: a timeout inside the turn.
                if (health.Failed(loop, error, time.GetUtcNow()) is { } outage)
                {
                    LogOutageStarted(logger, loop, outage.Kind, error.Message, LongestRetryDelay.TotalSeconds, error);
                }
                else
                {
                    var kind = error.GetType().Name;
                    LogOutageContinues(logger, loop, kind, retryDelay.TotalMilliseconds);
                }

                pause = Jittered(retryDelay);
                retryDelay = NextRetryDelay(retryDelay);
                if (!await PauseAsync(pause, time, stoppingToken))
                {
                    return;
                }

                continue;
            }
            catch (Exception error)
            {
                LogLoopStopped(logger, loop, error);
                throw;
            }

            if (health.Succeeded(loop) is { } ended)
            {
                var outageSeconds = (time.GetUtcNow() - ended.Since).TotalSeconds;
                LogOutageEnded(logger, loop, outageSeconds, ended.Failures, ended.Kind);
            }

            retryDelay = FirstRetryDelay;
            if (!await PauseAsync(pause, time, stoppingToken))
            {
                return;
            }
        }
    }

    /// <summary>The delay after <paramref name="delay"/>: doubled, at most <see cref="LongestRetryDelay"/>.</summary>
    public static TimeSpan NextRetryDelay(TimeSpan delay) => TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LongestRetryDelay.Ticks));

    /// <summary>Between 80% and 100% of <paramref name="delay"/>, so replicas that failed together do not retry in step.</summary>
    public static TimeSpan Jittered(TimeSpan delay) => delay * (0.8 + (0.2 * Random.Shared.NextDouble()));

    /// <summary>Waits; false when the host is stopping.</summary>
    private static async Task<bool> PauseAsync(TimeSpan pause, TimeProvider time, CancellationToken stoppingToken)
    {
        if (pause <= TimeSpan.Zero)
        {
            return !stoppingToken.IsCancellationRequested;
        }

        try
        {
            await Task.Delay(pause, time, stoppingToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = EventIds.LoopOutageStarted, Level = LogLevel.Warning,
        Message = "Background loop {Loop} cannot reach Redis or the network ({Kind}: {Reason}); retrying with backoff up to {LongestDelaySeconds} s. Logged once per outage.")]
    private static partial void LogOutageStarted(ILogger logger, string loop, string kind, string reason, double longestDelaySeconds, Exception error);

    [LoggerMessage(EventId = EventIds.LoopOutageContinues, Level = LogLevel.Debug, Message = "Background loop {Loop} still failing ({Kind}); next try in about {DelayMilliseconds} ms.")]
    private static partial void LogOutageContinues(ILogger logger, string loop, string kind, double delayMilliseconds);

    [LoggerMessage(EventId = EventIds.LoopOutageEnded, Level = LogLevel.Information,
        Message = "Background loop {Loop} works again after {OutageSeconds:0.0} s and {Failures} failed turns (outage began with {Kind}).")]
    private static partial void LogOutageEnded(ILogger logger, string loop, double outageSeconds, int failures, string kind);

    [LoggerMessage(EventId = EventIds.LoopStopped, Level = LogLevel.Critical,
        Message = "Background loop {Loop} stopped on an unexpected error; the process stops with a non-zero exit code so its supervisor restarts it.")]
    private static partial void LogLoopStopped(ILogger logger, string loop, Exception error);
}
