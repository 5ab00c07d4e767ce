using System.Globalization;
using Able.Attribution.Ga4;
using Able.Attribution.Receipts;
using Able.Attribution.Reports;
using Able.Attribution.TikTok;
using Able.Attribution.Visitors;
using Able.Attribution.Worker;
using Able.Schema.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Able.Attribution.Delivery;

/// <summary>
/// Sends what is due in the delivery schedule: claims due jobs, builds late-join bookings, groups them per
/// pixel into requests of at most BatchSize events, and stores each outcome (sent, dry run, retry with
/// backoff, dead letter) before the job leaves the schedule.
/// </summary>
public sealed partial class DeliveryProcessor(
    IOptionsMonitor<AbleOptions> options,
    DeliveryStore store,
    VisitorResolver resolver,
    EventAssembler assembler,
    TikTokClient tikTok,
    Ga4Scheduler ga4Scheduler,
    Ga4Sender ga4Sender,
    ReceiptStore receipts,
    DeadLetters deadLetters,
    StatsRecorder stats,
    WorkerMetrics metrics,
    WorkerCheckpoints checkpoints,
    TimeProvider time,
    ILogger<DeliveryProcessor> logger)
{
    /// <summary>The funnel label of a job that could not be read (its funnel is unknown).</summary>
    public const string UnreadableJobFunnel = "unknown";

    /// <summary>The outcome of a failed attempt that will be tried again.</summary>
    public const string Retry = "retry";

    /// <summary>
    /// Jobs TikTok accepted whose outcome Redis has not yet recorded (it failed or stalled right after the send). Kept in
    /// memory and recorded before anything is claimed again, so a Redis outage in that moment does not send them twice.
    /// Only the delivery loop calls <see cref="RunOnceAsync"/>, one pass at a time. A process that dies holding them is
    /// the one crash window left (README, Guarantees), closed by TikTok's event_id deduplication.
    /// </summary>
    private readonly List<(FunnelOptions Funnel, DeliveryJob Job, TikTokResult Result)> acceptedNotRecorded = [];

    /// <summary>One pass over the due jobs; returns how many were claimed (BatchSize means: run again at once).</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        // First what TikTok already accepted: until Redis records it, claiming would find those jobs due and send them again.
        await RecordAcceptedAsync(cancellationToken);
        await ga4Sender.RecordAcceptedAsync();
        var all = options.CurrentValue;
        var worker = all.Worker;
        var now = time.GetUtcNow();
        var leaseEnd = DeliveryTiming.LeaseEnd(worker, now);
        var ids = await store.ClaimDueAsync(now, leaseEnd, worker.BatchSize);
        // One pipelined round trip for all claimed ids (single-key commands, so it also works on Redis Cluster).
        var ledgers = await Task.WhenAll(ids.Select(store.LedgerAsync));
        var stored = await Task.WhenAll(ids.Select(store.GetAsync));
        var ready = new List<(FunnelOptions Funnel, DeliveryJob Job)>();
        var ga4Ready = new List<(FunnelOptions Funnel, DeliveryJob Job)>();
        for (var i = 0; i < ids.Length; i++)
        {
            if (stored[i].Problem is { } problem)
            {
                await DeadLetterUnreadableAsync(ids[i], stored[i].Json!, problem);
                continue;
            }

            var job = stored[i].Job;
            if (DeliveryStore.IsFinished(ledgers[i]) || job is null)
            {
                // A replica stopped after recording the outcome and before removing the job.
                await store.RemoveAsync(ids[i]);
                continue;
            }

            var funnel = all.FindFunnel(job.Conversion.Mark);
            if (funnel is null)
            {
                if (job.Ga4 is not null)
                {
                    await ga4Sender.DeadLetterAsync(job.Receipt.Mark, TimeSpan.FromDays(90), job, "the funnel is no longer configured", null);
                    continue;
                }

                await DeadLetterAsync(null, job, "the funnel is no longer configured", null, null);
                continue;
            }

            if (job.Ga4 is not null)
            {
                ga4Ready.Add((funnel, job));
                continue;
            }

            if (job.Receipt.Payload is null)
            {
                var resolution = await resolver.ResolveAsync(job.Conversion);
                var receipt = await assembler.AssembleAsync(job.Conversion, resolution, funnel, job.Receipt with { Status = ReceiptStatus.Queued });
                job = job with { Receipt = receipt };
                // The GA4 delivery before this job is saved built: a stop in between builds both again, and GA4's is kept once.
                await ga4Scheduler.ScheduleAsync(job.Id, job.Conversion, resolution.Visitor, funnel, receipt);
                // Saved with its built event, and still leased: it is sent in this pass.
                await store.RescheduleAsync(job, DeliveryTiming.LeaseEnd(worker, time.GetUtcNow()));
            }

            ready.Add((funnel, job));
        }

        foreach (var group in ready.GroupBy(r => r.Funnel.Mark))
        {
            var funnel = group.First().Funnel;
            var jobs = group.Select(r => r.Job).ToList();
            if (string.IsNullOrWhiteSpace(funnel.TikTok.AccessToken))
            {
                await DryRunAsync(funnel, jobs);
                continue;
            }

            await checkpoints.ReachedAsync(WorkerCheckpoints.BeforeSend, cancellationToken);
            await SendAsync(funnel, jobs, cancellationToken);
        }

        await ga4Sender.SendAsync(ga4Ready, leaseEnd, cancellationToken);

        return ids.Length;
    }

    private async Task DryRunAsync(FunnelOptions funnel, List<DeliveryJob> jobs)
    {
        // Counted first (once per receipt): a stop before the outcome is stored runs this again and counts nothing twice.
        await stats.DeliveredAsync([.. jobs.Select(job => (job.Receipt, Retention(funnel)))], ReceiptStatus.DryRun);
        foreach (var job in jobs)
        {
            await store.MarkFinishedAsync(job.Id, DeliveryStore.DryRun, Retention(funnel));
            await SaveReceiptAsync(funnel, job.Receipt with { Status = ReceiptStatus.DryRun, Reason = "no TikTok access token: built, not sent" });
            await store.RemoveAsync(job.Id);
            metrics.TikTokEvents.WithLabels(funnel.Mark, ReceiptStatus.DryRun).Inc();
            LogDryRun(logger, funnel.Mark, job.Receipt.Id, new CompactJson(job.Receipt.Payload));
        }
    }

    /// <summary>
    /// Sends one request and stores its outcome. Stopping does not cancel a request already on its way (only the client's
    /// own RequestTimeoutMilliseconds does): TikTok may have accepted it, and a graceful stop (a deploy, a scale-down)
    /// then records that before it exits instead of leaving the events to be sent again by another replica. No new
    /// request starts once stopping: those jobs stay leased and are taken over when the lease ends.
    /// </summary>
    private async Task SendAsync(FunnelOptions funnel, List<DeliveryJob> jobs, CancellationToken stopping)
    {
        if (stopping.IsCancellationRequested)
        {
            return;
        }

        var body = TikTokEventBuilder.Body(funnel.TikTok.PixelId, funnel.TikTok.TestEventCode, jobs.Select(j => j.Receipt.Payload!));
        var result = await tikTok.SendAsync(funnel.TikTok.AccessToken!, body, CancellationToken.None);
        switch (result.Outcome)
        {
            case TikTokOutcome.Accepted:
                await AcceptedAsync(funnel, jobs, result, stopping);
                break;
            case TikTokOutcome.InvalidParameter when jobs.Count > 1:
                // One bad event fails the whole batch: halve until it stands alone, so the others go through.
                LogSplitting(logger, funnel.Mark, jobs.Count, result.Message ?? "");
                var half = jobs.Count / 2;
                await SendAsync(funnel, jobs[..half], stopping);
                await SendAsync(funnel, jobs[half..], stopping);
                break;
            case TikTokOutcome.Retry:
                await RetryAsync(funnel, jobs, result);
                break;
            default:
                if (result.IsTokenError)
                {
                    metrics.TokenErrors.WithLabels(funnel.Mark).Inc();
                    LogTokenError(logger, funnel.Mark, result.Code ?? 0, result.Message ?? "");
                }

                foreach (var job in jobs)
                {
                    await DeadLetterAsync(funnel, job with { Attempts = job.Attempts + 1 }, result.Reason, result.Code, result.Message, result.RequestId);
                }

                break;
        }
    }

    private async Task AcceptedAsync(FunnelOptions funnel, List<DeliveryJob> jobs, TikTokResult result, CancellationToken cancellationToken)
    {
        metrics.TikTokEvents.WithLabels(funnel.Mark, ReceiptStatus.Sent).Inc(jobs.Count);
        acceptedNotRecorded.AddRange(jobs.Select(job => (funnel, job, result)));
        await RecordAcceptedAsync(cancellationToken);
    }

    /// <summary>
    /// Records every accepted job's outcome (the ledger first, so nothing is sent again, then its receipt; both idempotent,
    /// written in parallel and pipelined), then removes the jobs. Throws while Redis fails, keeping them for the next pass.
    /// </summary>
    private async Task RecordAcceptedAsync(CancellationToken cancellationToken)
    {
        if (acceptedNotRecorded.Count == 0)
        {
            return;
        }

        var accepted = acceptedNotRecorded.ToList();
        // Counted first (once per receipt): a failure or stop before the outcome is stored records it again and counts nothing twice.
        await stats.DeliveredAsync([.. accepted.Select(entry => (entry.Job.Receipt, Retention(entry.Funnel)))], ReceiptStatus.Sent);
        // One script for all the ledger entries, then the receipts, one pipelined batch per funnel: a few commands per
        // batch instead of about ten per job.
        await store.MarkFinishedAsync([.. accepted.Select(entry => (entry.Job.Id, Retention(entry.Funnel)))], DeliveryStore.Sent);
        var updatedAt = time.GetUtcNow().ToUnixTimeMilliseconds();
        await Task.WhenAll(accepted.GroupBy(entry => (entry.Job.Receipt.Mark, Retention: Retention(entry.Funnel))).Select(funnelEntries => receipts.SaveAsync(
            [.. funnelEntries.Select(entry => entry.Job.Receipt with
            {
                Status = ReceiptStatus.Sent,
                Reason = null,
                Attempts = entry.Job.Attempts + 1,
                TikTokCode = entry.Result.Code,
                TikTokMessage = entry.Result.Message,
                TikTokRequestId = entry.Result.RequestId,
                UpdatedAt = updatedAt,
            })],
            funnelEntries.Key.Retention)));
        acceptedNotRecorded.Clear();

        await checkpoints.ReachedAsync(WorkerCheckpoints.AfterSentBeforeRemove, cancellationToken);
        await store.RemoveAsync([.. accepted.Select(entry => entry.Job.Id)]);
    }

    private async Task RetryAsync(FunnelOptions funnel, List<DeliveryJob> jobs, TikTokResult result)
    {
        var worker = options.CurrentValue.Worker;
        var now = time.GetUtcNow();
        foreach (var job in jobs)
        {
            var (next, retryAt) = DeliveryTiming.AfterFailedAttempt(worker, job, now);
            var attempts = next.Attempts;
            if (retryAt is not { } due)
            {
                await DeadLetterAsync(funnel, next, $"retry deadline passed after {attempts} attempts: {result.Reason}", result.Code, result.Message, result.RequestId);
                continue;
            }

            next = next with
            {
                Receipt = next.Receipt with
                {
                    Status = ReceiptStatus.Retrying,
                    Reason = result.Reason,
                    Attempts = attempts,
                    TikTokCode = result.Code,
                    TikTokMessage = result.Message,
                    TikTokRequestId = result.RequestId,
                },
            };
            await stats.OutcomeAsync(funnel.Mark, next.Receipt.Id, Retry, Retention(funnel), occurrence: attempts.ToString(CultureInfo.InvariantCulture));
            await store.RescheduleAsync(next, due);
            await SaveReceiptAsync(funnel, next.Receipt);
            metrics.TikTokEvents.WithLabels(funnel.Mark, Retry).Inc();
        }

        LogRetry(logger, funnel.Mark, jobs.Count, result.Reason);
    }

    private async Task DeadLetterAsync(FunnelOptions? funnel, DeliveryJob job, string reason, long? code, string? message, string? requestId = null)
    {
        var retention = funnel is null ? TimeSpan.FromDays(90) : Retention(funnel);
        await stats.DeadLetteredAsync(job.Receipt.Mark, job.Receipt.Id, job.Attempts, retention);
        await store.MarkFinishedAsync(job.Id, DeliveryStore.Dead, retention);
        await deadLetters.AddAsync(job, reason, code, message, time.GetUtcNow());
        var receipt = job.Receipt with
        {
            Status = ReceiptStatus.DeadLettered,
            Reason = reason,
            Attempts = job.Attempts,
            TikTokCode = code,
            TikTokMessage = message,
            TikTokRequestId = requestId,
            UpdatedAt = time.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        await receipts.SaveAsync(receipt, retention);
        await store.RemoveAsync(job.Id);
        metrics.TikTokEvents.WithLabels(job.Conversion.Mark, ReceiptStatus.DeadLettered).Inc();
        LogDeadLetter(logger, job.Conversion.Mark, job.Conversion.EventId ?? "", reason, message ?? "");
    }

    /// <summary>
    /// A job whose stored text cannot be read would fail every pass (and, as a defect, stop the worker each time): it is
    /// finished as dead, kept in the dead-letter stream as it was stored, and removed from the schedule.
    /// </summary>
    private async Task DeadLetterUnreadableAsync(string deliveryId, string json, string problem)
    {
        await store.MarkFinishedAsync(deliveryId, DeliveryStore.Dead, TimeSpan.FromDays(90));
        await deadLetters.AddUnreadableJobAsync(deliveryId, json, problem, time.GetUtcNow());
        await store.RemoveAsync(deliveryId);
        metrics.TikTokEvents.WithLabels(UnreadableJobFunnel, ReceiptStatus.DeadLettered).Inc();
        LogUnreadableJob(logger, deliveryId, problem);
    }

    /// <summary>Refreshes the backlog and dead-letter gauges.</summary>
    public async Task RefreshGaugesAsync()
    {
        metrics.RetryBacklog.Set(await store.BacklogAsync());
        metrics.DeadLetterDepth.Set(await deadLetters.DepthAsync());
    }

    private Task SaveReceiptAsync(FunnelOptions funnel, MatchReceipt receipt) =>
        receipts.SaveAsync(receipt with { UpdatedAt = time.GetUtcNow().ToUnixTimeMilliseconds() }, Retention(funnel));

    private static TimeSpan Retention(FunnelOptions funnel) => TimeSpan.FromDays(funnel.RetentionDays);

    [LoggerMessage(EventId = EventIds.DeliveryDryRun, Level = LogLevel.Information, Message = "Dry run (funnel {Funnel} has no TikTok access token), receipt {ReceiptId}: {Payload}")]
    private static partial void LogDryRun(ILogger logger, string funnel, string receiptId, CompactJson payload);

    /// <summary>Formats a payload as one line of JSON only when the log line is written.</summary>
    private readonly record struct CompactJson(System.Text.Json.Nodes.JsonObject? Json)
    {
        public override string ToString() => Json?.ToJsonString() ?? "";
    }

    [LoggerMessage(EventId = EventIds.DeliveryBatchSplit, Level = LogLevel.Warning, Message = "TikTok rejected a batch of {Count} events for funnel {Funnel} as invalid ({Message}); splitting it.")]
    private static partial void LogSplitting(ILogger logger, string funnel, int count, string message);

    [LoggerMessage(EventId = EventIds.DeliveryRetried, Level = LogLevel.Warning, Message = "Delivery of {Count} events for funnel {Funnel} will be retried: {Reason}")]
    private static partial void LogRetry(ILogger logger, string funnel, int count, string reason);

    [LoggerMessage(EventId = EventIds.DeliveryDeadLettered, Level = LogLevel.Error, Message = "Event {EventId} of funnel {Funnel} dead-lettered: {Reason} ({Message})")]
    private static partial void LogDeadLetter(ILogger logger, string funnel, string eventId, string reason, string message);

    [LoggerMessage(EventId = EventIds.DeliveryJobUnreadable, Level = LogLevel.Error, Message = "Delivery job {DeliveryId} cannot be read ({Problem}); moved to the dead-letter stream as stored.")]
    private static partial void LogUnreadableJob(ILogger logger, string deliveryId, string problem);

    [LoggerMessage(EventId = EventIds.DeliveryTokenRefused, Level = LogLevel.Critical, Message = "TikTok refused the access token of funnel {Funnel} with code {Code} ({Message}); set a valid Able:Funnels:*:TikTok:AccessToken.")]
    private static partial void LogTokenError(ILogger logger, string funnel, long code, string message);
}
