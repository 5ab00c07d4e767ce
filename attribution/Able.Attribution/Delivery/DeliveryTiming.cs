using Able.Schema;
using Able.Schema.Configuration;

namespace Able.Attribution.Delivery;

/// <summary>
/// When a delivery job falls due in the schedule: the lease a claim (or a job still being worked on) holds it
/// for, and the backoff of a retry within its deadline. The one place these are computed.
/// </summary>
public static class DeliveryTiming
{
    /// <summary>
    /// How long a claimed job stays out of others' reach: <c>Able:Worker:ClaimIdleSeconds</c>. Longer than a
    /// TikTok request (validated), so a job being sent never falls due for another replica; and a replica that
    /// dies while holding it lets it fall due again after that long.
    /// </summary>
    public static TimeSpan Lease(WorkerOptions worker)
    {
        ArgumentNullException.ThrowIfNull(worker);
        return TimeSpan.FromSeconds(worker.ClaimIdleSeconds);
    }

    /// <summary>The due time that keeps a job leased from <paramref name="now"/>: on claiming it, and again when it is rewritten while held.</summary>
    public static DateTimeOffset LeaseEnd(WorkerOptions worker, DateTimeOffset now) => now + Lease(worker);

    /// <summary>
    /// The retry time of a job that failed at <paramref name="attempt"/> (<see cref="Backoff"/> from now), or null
    /// when it would fall after the retry deadline (<c>Able:Worker:RetryDeadlineMinutes</c> from its first attempt):
    /// then it is given up.
    /// </summary>
    public static DateTimeOffset? RetryAt(WorkerOptions worker, int attempt, DateTimeOffset firstAttempt, DateTimeOffset now) =>
        RetryAt(worker, attempt, firstAttempt, now, Jitter());

    /// <summary>
    /// A job after one more failed attempt (attempts counted; its first attempt kept, or now when it has none or a damaged
    /// one, rather than stopping the delivery loop) and when to try it again: null when past the retry deadline. The TikTok
    /// and GA4 sides both retry through this.
    /// </summary>
    public static (DeliveryJob Next, DateTimeOffset? Due) AfterFailedAttempt(WorkerOptions worker, DeliveryJob job, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(job);
        var attempts = job.Attempts + 1;
        var first = job.FirstAttemptAt is { } stored && UnixMilliseconds.ToTime(stored) is { } storedTime ? storedTime : now;
        var next = job with { Attempts = attempts, FirstAttemptAt = first.ToUnixTimeMilliseconds() };
        return (next, RetryAt(worker, attempts, first, now));
    }

    /// <summary>
    /// Exponential backoff with ±50 % jitter: base × 2^(attempt-1), capped at RetryMaxMilliseconds, then
    /// multiplied by 0.5 + <paramref name="unit"/>, the random draw in [0, 1).
    /// </summary>
    internal static TimeSpan Backoff(WorkerOptions worker, int attempt, double unit)
    {
        ArgumentNullException.ThrowIfNull(worker);
        var exponential = worker.RetryBaseMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30));
        var capped = Math.Min(exponential, worker.RetryMaxMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.5 + unit));
    }

    /// <summary><see cref="RetryAt(WorkerOptions, int, DateTimeOffset, DateTimeOffset)"/> with the random draw given.</summary>
    internal static DateTimeOffset? RetryAt(WorkerOptions worker, int attempt, DateTimeOffset firstAttempt, DateTimeOffset now, double unit)
    {
        ArgumentNullException.ThrowIfNull(worker);
        var due = now + Backoff(worker, attempt, unit);
        var deadline = firstAttempt + TimeSpan.FromMinutes(worker.RetryDeadlineMinutes);
        return due > deadline ? null : due;
    }

#pragma warning disable CA5394 // Jitter spreads retries; it needs no cryptographic randomness.
    private static double Jitter() => Random.Shared.NextDouble();
#pragma warning restore CA5394
}
