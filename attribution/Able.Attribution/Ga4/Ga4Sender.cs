using Able.Attribution.Delivery;
using Able.Attribution.Receipts;
using Able.Attribution.Worker;
using Able.Schema.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Able.Attribution.Ga4;

/// <summary>
/// Sends the due GA4 deliveries the delivery processor claimed, one Measurement Protocol request each (GA4 takes several
/// events in one request only for one client id), a few at a time, and stores each outcome as the TikTok side does: sent,
/// retry with backoff until the retry deadline, or dead letter; the ledger entry first, then the outcome in the receipt's
/// GA4 side, then the job leaves the schedule.
/// </summary>
public sealed partial class Ga4Sender(
    IOptionsMonitor<AbleOptions> options,
    DeliveryStore store,
    ReceiptStore receipts,
    DeadLetters deadLetters,
    Ga4Client client,
    WorkerMetrics metrics,
    TimeProvider time,
    ILogger<Ga4Sender> logger)
{
    /// <summary>Requests to GA4 in flight at once.</summary>
    public const int ConcurrentRequests = 8;

    /// <summary>
    /// Deliveries GA4 accepted whose outcome Redis has not recorded yet (as the TikTok side keeps them): recorded before
    /// anything is claimed again, so a Redis failure in that moment does not send them twice.
    /// </summary>
    private readonly List<(DeliveryJob Job, Ga4SendResult Result, TimeSpan Retention)> acceptedNotRecorded = [];

    /// <summary>
    /// Sends <paramref name="jobs"/> (GA4 jobs of configured funnels, claimed until <paramref name="leaseEnd"/>) in waves of
    /// <see cref="ConcurrentRequests"/>, storing each wave's outcomes. A wave starts only while the lease outlasts a request
    /// timed out: the jobs left are put back in the schedule, due at once, so another replica can never take over a job
    /// still being sent (one request at a time, a thousand claimed GA4 jobs would outlast any lease).
    /// </summary>
    public async Task SendAsync(IReadOnlyList<(FunnelOptions Funnel, DeliveryJob Job)> jobs, DateTimeOffset leaseEnd, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        var worker = options.CurrentValue.Worker;
        var timeout = TimeSpan.FromMilliseconds(worker.RequestTimeoutMilliseconds);
        // Time kept free at the lease's end to store the last wave's outcomes: 2 s, or half of what the lease leaves over a request.
        var margin = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(2).Ticks, (DeliveryTiming.Lease(worker) - timeout).Ticks / 2));
        for (var start = 0; start < jobs.Count; start += ConcurrentRequests)
        {
            if (stopping.IsCancellationRequested)
            {
                // Left leased, as the TikTok side leaves them: they fall due again when the lease ends.
                return;
            }

            if (time.GetUtcNow() + timeout + margin > leaseEnd)
            {
                await store.ReleaseAsync([.. jobs.Skip(start).Select(j => j.Job.Id)], time.GetUtcNow());
                LogGivenBack(logger, jobs.Count - start);
                return;
            }

            await SendWaveAsync([.. jobs.Skip(start).Take(ConcurrentRequests)]);
        }
    }

    private async Task SendWaveAsync(IReadOnlyList<(FunnelOptions Funnel, DeliveryJob Job)> wave)
    {
        // Not cancelled by stopping once started (as TikTok requests): GA4 may have taken the event, and that is recorded first.
        var results = await Task.WhenAll(wave.Select(async entry => entry.Funnel.Ga4 is { } ga4 && entry.Job.Ga4?.Payload is { } body
            ? await client.SendAsync(ga4, body, CancellationToken.None)
            : new Ga4SendResult(Ga4SendOutcome.Permanent, "the funnel has no Ga4 settings any more")));
        // Every acceptance is remembered before anything is written: a Redis failure while storing another job's retry must
        // not leave an accepted delivery to fall due again and be sent twice.
        for (var i = 0; i < wave.Count; i++)
        {
            if (results[i].Outcome == Ga4SendOutcome.Accepted)
            {
                acceptedNotRecorded.Add((wave[i].Job, results[i], Retention(wave[i].Funnel)));
                metrics.Ga4Events.WithLabels(wave[i].Funnel.Mark, Ga4Status.Sent).Inc();
            }
        }

        for (var i = 0; i < wave.Count; i++)
        {
            var (funnel, job) = wave[i];
            var result = results[i];
            if (result.Outcome == Ga4SendOutcome.Retry)
            {
                await RetryAsync(funnel, job, result);
            }
            else if (result.Outcome == Ga4SendOutcome.Permanent)
            {
                await DeadLetterAsync(funnel.Mark, Retention(funnel), job with { Attempts = job.Attempts + 1 }, result.Reason, result.HttpStatus);
            }
        }

        await RecordAcceptedAsync();
    }

    /// <summary>Records every accepted delivery (ledger, outcome, then removal); throws while Redis fails, keeping them for the next pass.</summary>
    public async Task RecordAcceptedAsync()
    {
        if (acceptedNotRecorded.Count == 0)
        {
            return;
        }

        var accepted = acceptedNotRecorded.ToList();
        await store.MarkFinishedAsync([.. accepted.Select(entry => (entry.Job.Id, entry.Retention))], DeliveryStore.Sent);
        var updatedAt = time.GetUtcNow().ToUnixTimeMilliseconds();
        await Task.WhenAll(accepted.Select(entry => receipts.SaveGa4Async(entry.Job.Receipt.Mark, entry.Job.Receipt.Id, entry.Job.Ga4! with
        {
            Status = Ga4Status.Sent,
            Reason = null,
            Attempts = entry.Job.Attempts + 1,
            HttpStatus = entry.Result.HttpStatus,
            UpdatedAt = updatedAt,
        }, entry.Retention)));
        acceptedNotRecorded.Clear();
        await store.RemoveAsync([.. accepted.Select(entry => entry.Job.Id)]);
    }

    private async Task RetryAsync(FunnelOptions funnel, DeliveryJob job, Ga4SendResult result)
    {
        var now = time.GetUtcNow();
        var (next, retryAt) = DeliveryTiming.AfterFailedAttempt(options.CurrentValue.Worker, job, now);
        if (retryAt is not { } due)
        {
            await DeadLetterAsync(funnel.Mark, Retention(funnel), next, $"retry deadline passed after {next.Attempts} attempts: {result.Reason}", result.HttpStatus);
            return;
        }

        var outcome = next.Ga4! with { Status = Ga4Status.Retrying, Reason = result.Reason, Attempts = next.Attempts, HttpStatus = result.HttpStatus, UpdatedAt = now.ToUnixTimeMilliseconds() };
        await store.RescheduleAsync(next with { Ga4 = outcome }, due);
        await receipts.SaveGa4Async(job.Receipt.Mark, job.Receipt.Id, outcome, Retention(funnel));
        metrics.Ga4Events.WithLabels(funnel.Mark, DeliveryProcessor.Retry).Inc();
        LogRetry(logger, funnel.Mark, job.Receipt.Id, result.Reason);
    }

    /// <summary>
    /// Gives a GA4 delivery up: its ledger entry finished as dead (never sent again unless replayed), the job in the
    /// dead-letter stream, the outcome in the receipt's GA4 side, the job out of the schedule.
    /// </summary>
    public async Task DeadLetterAsync(string mark, TimeSpan retention, DeliveryJob job, string reason, int? httpStatus)
    {
        ArgumentNullException.ThrowIfNull(job);
        var outcome = (job.Ga4 ?? new Ga4Outcome { Status = Ga4Status.Queued }) with
        {
            Status = Ga4Status.DeadLettered,
            Reason = reason,
            Attempts = job.Attempts,
            HttpStatus = httpStatus,
            UpdatedAt = time.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        await store.MarkFinishedAsync(job.Id, DeliveryStore.Dead, retention);
        await deadLetters.AddAsync(job with { Ga4 = outcome }, reason, httpStatus, null, time.GetUtcNow());
        await receipts.SaveGa4Async(job.Receipt.Mark, job.Receipt.Id, outcome, retention);
        await store.RemoveAsync(job.Id);
        metrics.Ga4Events.WithLabels(mark, Ga4Status.DeadLettered).Inc();
        LogDeadLetter(logger, mark, job.Receipt.Id, reason);
    }

    private static TimeSpan Retention(FunnelOptions funnel) => TimeSpan.FromDays(funnel.RetentionDays);

    [LoggerMessage(EventId = EventIds.Ga4GivenBack, Level = LogLevel.Debug, Message = "{Count} claimed GA4 deliveries given back to the schedule: the lease would end before they were sent.")]
    private static partial void LogGivenBack(ILogger logger, int count);

    [LoggerMessage(EventId = EventIds.Ga4Retried, Level = LogLevel.Warning, Message = "GA4 delivery of receipt {ReceiptId} of funnel {Funnel} will be retried: {Reason}")]
    private static partial void LogRetry(ILogger logger, string funnel, string receiptId, string reason);

    [LoggerMessage(EventId = EventIds.Ga4DeadLettered, Level = LogLevel.Error, Message = "GA4 delivery of receipt {ReceiptId} of funnel {Funnel} dead-lettered: {Reason}")]
    private static partial void LogDeadLetter(ILogger logger, string funnel, string receiptId, string reason);
}
