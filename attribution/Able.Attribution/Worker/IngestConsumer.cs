using System.Runtime.ExceptionServices;
using Able.Attribution.Delivery;
using Able.Attribution.Ingest;
using Able.Attribution.Reports;
using Able.Schema.Configuration;
using Able.Schema.Redis;
using Able.Supervision;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Able.Attribution.Worker;

/// <summary>
/// Reads the ingest stream with the worker consumer group: first this consumer's own pending entries
/// (left by a previous run), then new ones, and every so often entries other replicas left idle too
/// long (XAUTOCLAIM). An entry is acknowledged only after <see cref="IngestEntryProcessor"/> stored its outcome.
/// <para>
/// Poison cap: an entry whose processing throws stays pending and is tried again when reclaimed. Attempts are
/// counted by the stream itself: the consumer group's delivery counter (XPENDING), which every read of a
/// pending entry and every claim increments, whichever replica does it and across restarts. When an entry
/// fails at delivery <c>Able:Worker:MaxIngestAttempts</c> or later, or is delivered more often than that
/// without ever reaching an outcome (a worker that stopped while processing it), it is moved to the
/// dead-letter stream with its fields (a raw body as its facts) and the error, acknowledged and counted in
/// <c>able_ingest_poison_total</c>.
/// </para>
/// </summary>
internal sealed partial class IngestConsumer(
    IConnectionMultiplexer redis,
    RedisKeys keys,
    IngestEntryProcessor entryProcessor,
    WorkerCheckpoints checkpoints,
    DeadLetters deadLetters,
    StatsRecorder stats,
    WorkerMetrics metrics,
    LoopHealth health,
    IOptionsMonitor<AbleOptions> options,
    TimeProvider time,
    ILogger<IngestConsumer> logger) : BackgroundService
{
    /// <summary>The loop's name in logs, /readyz and <c>able_loop_up{loop}</c>.</summary>
    public const string LoopName = "ingest-consumer";

    // Cursors, so an entry that keeps failing (left pending on purpose) never blocks the ones after it.
    private RedisValue ownPendingCursor = "0";
    private RedisValue claimCursor = "0-0";
    private bool ownPendingDone;
    private bool groupReady;
    private DateTimeOffset nextClaim;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.CurrentValue.Worker.Enabled)
        {
            return Task.CompletedTask;
        }

        var consumer = options.CurrentValue.Worker.ConsumerName ?? Environment.MachineName;
        nextClaim = time.GetUtcNow();
        return SupervisedLoop.RunAsync(LoopName, cancellationToken => TurnAsync(consumer, cancellationToken), health, time, logger, stoppingToken);
    }

    /// <summary>Reads one page of entries and handles each; returns the poll interval when there were none.</summary>
    private async Task<TimeSpan> TurnAsync(string consumer, CancellationToken stoppingToken)
    {
        var worker = options.CurrentValue.Worker;
        var db = redis.GetDatabase();
        if (!groupReady)
        {
            await EnsureGroupAsync(db);
            groupReady = true;
            LogStarted(logger, consumer);
        }

        StreamEntry[] entries;
        bool redelivered;
        try
        {
            (entries, redelivered) = await ReadAsync(db, consumer, worker);
        }
        catch (RedisServerException error) when (error.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
        {
            // The stream or the group is gone (a Redis restarted without persistence, a FLUSHALL): create it again
            // next turn instead of failing on NOGROUP until the process restarts.
            groupReady = false;
            ownPendingDone = false;
            ownPendingCursor = "0";
            claimCursor = "0-0";
            LogGroupMissing(logger, consumer);
            return TimeSpan.Zero;
        }

        if (redelivered)
        {
            foreach (var entry in entries)
            {
                stoppingToken.ThrowIfCancellationRequested();
                await HandleAsync(db, entry, redelivered, worker.MaxIngestAttempts, stoppingToken);
            }
        }
        else
        {
            await HandleNewAsync(db, entries, worker.MaxIngestAttempts, stoppingToken);
        }

        return entries.Length == 0 ? TimeSpan.FromMilliseconds(worker.PollIntervalMilliseconds) : TimeSpan.Zero;
    }

    /// <summary>
    /// The next page: this consumer's own pending entries until there are none left, then idle entries of other
    /// consumers when a claim is due, else new entries. Entries read with "&gt;" are on their first delivery
    /// (<c>Redelivered</c> false); pending ones read again or claimed are not.
    /// </summary>
    private async Task<(StreamEntry[] Entries, bool Redelivered)> ReadAsync(IDatabase db, string consumer, WorkerOptions worker)
    {
        if (!ownPendingDone)
        {
            var entries = await db.StreamReadGroupAsync(keys.IngestStream, RedisKeys.WorkerGroup, consumer, ownPendingCursor, worker.ReadCount);
            ownPendingDone = entries.Length == 0;
            ownPendingCursor = entries.Length == 0 ? ownPendingCursor : entries[^1].Id;
            return (entries, true);
        }

        if (time.GetUtcNow() >= nextClaim)
        {
            return (await ClaimIdleAsync(db, consumer, worker), true);
        }

        return (await db.StreamReadGroupAsync(keys.IngestStream, RedisKeys.WorkerGroup, consumer, StreamPosition.NewMessages, worker.ReadCount), false);
    }

    /// <summary>One page of entries other consumers left idle longer than ClaimIdleSeconds (XAUTOCLAIM).</summary>
    private async Task<StreamEntry[]> ClaimIdleAsync(IDatabase db, string consumer, WorkerOptions worker)
    {
        var claimIdle = TimeSpan.FromSeconds(worker.ClaimIdleSeconds);
        nextClaim = time.GetUtcNow() + claimIdle / 2;
        var claimed = await db.StreamAutoClaimAsync(keys.IngestStream, RedisKeys.WorkerGroup, consumer,
            (long)claimIdle.TotalMilliseconds, claimCursor, worker.ReadCount);
        claimCursor = claimed.NextStartId;
        if (claimCursor != "0-0")
        {
            // More idle entries past this page: claim the next page on the next turn.
            nextClaim = time.GetUtcNow();
        }

        if (claimed.ClaimedEntries.Length > 0)
        {
            LogReclaimed(logger, claimed.ClaimedEntries.Length, consumer);
        }

        return claimed.ClaimedEntries;
    }

    /// <summary>
    /// A page of entries on their first delivery, processed together so their Redis round trips overlap (one page is at
    /// most ReadCount entries): each entry's outcome is stored as when processed alone, except that entries sharing a
    /// <see cref="PreparedEntry.ConflictKeys">key</see> (a duplicate delivery, the same booking, contact or visitor)
    /// run one after the other in stream order. The entries whose outcome is stored are then acknowledged with one XACK;
    /// an entry that failed stays pending as before, and a Redis failure leaves pending every entry it stopped (and
    /// every later entry that shares a key with one), then ends the turn as it did.
    /// </summary>
    private async Task HandleNewAsync(IDatabase db, StreamEntry[] entries, int maxAttempts, CancellationToken stoppingToken)
    {
        stoppingToken.ThrowIfCancellationRequested();
        var done = new List<StreamEntry>(entries.Length);
        var running = new List<(StreamEntry Entry, Task<string?> Outcome)>(entries.Length);
        var last = new Dictionary<string, Task>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (entry.IsNull || entry.Values.Length == 0)
            {
                done.Add(entry);
                continue;
            }

            PreparedEntry prepared;
            try
            {
                prepared = entryProcessor.Prepare(entry);
            }
            catch (Exception error) when (IsEntryFailure(error))
            {
                running.Add((entry, FailedAsync(db, entry, 1, maxAttempts, error)));
                continue;
            }

            var conflictKeys = prepared.ConflictKeys().ToArray();
            Task[] earlier = [.. conflictKeys.Select(last.GetValueOrDefault).OfType<Task>().Distinct()];
            var outcome = ProcessAfterAsync(db, prepared, earlier, maxAttempts);
            foreach (var key in conflictKeys)
            {
                last[key] = outcome;
            }

            running.Add((entry, outcome));
        }

        try
        {
            await Task.WhenAll(running.Select(r => r.Outcome));
        }
        catch (Exception)
        {
            // Looked at entry by entry below: what completed is acknowledged, then the first failure ends the turn.
        }

        Exception? unavailable = null;
        var outcomes = new List<(RedisValue Id, string Outcome)>(running.Count);
        foreach (var (entry, outcome) in running)
        {
            if (!outcome.IsCompletedSuccessfully)
            {
                unavailable ??= outcome.Exception?.InnerException ?? new OperationCanceledException();
            }
            else if (outcome.Result is { } stored)
            {
                done.Add(entry);
                outcomes.Add((entry.Id, stored));
            }
        }

        if (done.Count > 0)
        {
            await checkpoints.ReachedAsync(WorkerCheckpoints.BeforeAck, stoppingToken);
            await AcknowledgeAsync(db, done);
            foreach (var (id, outcome) in outcomes)
            {
                LogProcessed(logger, id, outcome);
            }
        }

        if (unavailable is not null)
        {
            ExceptionDispatchInfo.Throw(unavailable);
        }
    }

    /// <summary>
    /// Processes an entry once the <paramref name="earlier"/> entries it shares a key with are done; returns its outcome,
    /// or null when it failed (it stays pending, or was dead-lettered and acknowledged). Throws when Redis is
    /// unavailable, here or for an earlier entry: then it is not processed now.
    /// </summary>
    private async Task<string?> ProcessAfterAsync(IDatabase db, PreparedEntry prepared, Task[] earlier, int maxAttempts)
    {
        if (earlier.Length > 0)
        {
            await Task.WhenAll(earlier);
        }

        try
        {
            return await entryProcessor.ProcessAsync(prepared);
        }
        catch (Exception error) when (IsEntryFailure(error))
        {
            return await FailedAsync(db, prepared.Entry, 1, maxAttempts, error);
        }
    }

    /// <summary>An entry whose processing failed: dead-lettered at its last allowed delivery, else left pending and logged. Returns null.</summary>
    private async Task<string?> FailedAsync(IDatabase db, StreamEntry entry, long deliveries, int maxAttempts, Exception error)
    {
        if (deliveries >= maxAttempts)
        {
            await GiveUpAsync(db, entry, deliveries, error);
            return null;
        }

        LogEntryFailed(logger, entry.Id, deliveries, maxAttempts, error);
        return null;
    }

    private async Task HandleAsync(IDatabase db, StreamEntry entry, bool redelivered, int maxAttempts, CancellationToken stoppingToken)
    {
        if (entry.IsNull || entry.Values.Length == 0)
        {
            // Trimmed from the stream while pending: nothing left to process.
            await AcknowledgeAsync(db, [entry]);
            return;
        }

        var deliveries = redelivered ? await DeliveryCountAsync(db, entry.Id) : 1;
        if (deliveries > maxAttempts)
        {
            // Earlier deliveries never reached an outcome or a counted failure: the worker stopped while processing it.
            await GiveUpAsync(db, entry, deliveries, error: null);
            return;
        }

        string outcome;
        try
        {
            outcome = await entryProcessor.ProcessAsync(entry);
        }
        catch (Exception error) when (IsEntryFailure(error))
        {
            // Dead-lettered at the last delivery, else left pending: it is retried when reclaimed, and the log says why.
            await FailedAsync(db, entry, deliveries, maxAttempts, error);
            return;
        }

        await checkpoints.ReachedAsync(WorkerCheckpoints.BeforeAck, stoppingToken);
        await AcknowledgeAsync(db, [entry]);
        LogProcessed(logger, entry.Id, outcome);
    }

    /// <summary>
    /// Acknowledges entries whose outcome is stored (one XACK). One that still holds a raw body (written before the ingress
    /// stored facts) is deleted from the stream as well, so raw contact data leaves Redis at its first outcome rather than
    /// when the stream is trimmed.
    /// </summary>
    private async Task AcknowledgeAsync(IDatabase db, IReadOnlyList<StreamEntry> entries)
    {
        await db.StreamAcknowledgeAsync(keys.IngestStream, RedisKeys.WorkerGroup, [.. entries.Select(e => e.Id)]);
        RedisValue[] raw = [.. entries.Where(e => !e.IsNull && IngestFacts.HoldsRawBody(e)).Select(e => e.Id)];
        if (raw.Length > 0)
        {
            await db.StreamDeleteAsync(keys.IngestStream, raw);
        }
    }

    /// <summary>
    /// Whether an exception belongs to this entry (counted towards the poison cap) rather than to Redis being
    /// unavailable (the loop backs off; the entry is not to blame: a timeout, a lost connection, LOADING after a restart,
    /// a failover). A Redis server error such as WRONGTYPE is the entry's: it fails the same way at every delivery.
    /// </summary>
    private static bool IsEntryFailure(Exception error) =>
        error is not OperationCanceledException && !TransientFailure.IsUnavailable(error);

    /// <summary>The entry's delivery counter in the consumer group (1 if it is no longer pending).</summary>
    private async Task<long> DeliveryCountAsync(IDatabase db, RedisValue entryId)
    {
        var pending = await db.StreamPendingMessagesAsync(keys.IngestStream, RedisKeys.WorkerGroup, 1, RedisValue.Null, entryId, entryId);
        return pending.Length == 0 ? 1 : Math.Max(1, pending[0].DeliveryCount);
    }

    /// <summary>Dead-letters the entry with its fields and the error, then acknowledges it: it is never tried again.</summary>
    private async Task GiveUpAsync(IDatabase db, StreamEntry entry, long deliveries, Exception? error)
    {
        var funnel = entry[IngestEntry.Mark].ToString();
        // A raw body is kept as its facts, read in the funnel's phone region ("ZZ", none, when the funnel is unknown).
        var kept = IngestFacts.WithoutRawBody(entry, options.CurrentValue.FindFunnel(funnel)?.DefaultPhoneRegion ?? "ZZ");
        if (options.CurrentValue.FindFunnel(funnel) is { } configured)
        {
            // Counted first, once per entry: a stop before the acknowledgement gives it up again and counts nothing twice.
            await stats.PoisonAsync(configured.Mark, entry.Id.ToString(), TimeSpan.FromDays(configured.RetentionDays));
        }

        // Dead letter first: a stop between the two leaves the entry pending, to be dead-lettered again rather than lost.
        await deadLetters.AddPoisonAsync(kept, funnel, deliveries, error, time.GetUtcNow());
        await AcknowledgeAsync(db, [entry]);
        metrics.IngestPoison.WithLabels(funnel).Inc();
        if (error is null)
        {
            LogGaveUpWithoutOutcome(logger, entry.Id, deliveries);
        }
        else
        {
            LogGaveUp(logger, entry.Id, deliveries, error);
        }
    }

    private async Task EnsureGroupAsync(IDatabase db)
    {
        try
        {
            await db.StreamCreateConsumerGroupAsync(keys.IngestStream, RedisKeys.WorkerGroup, "0", createStream: true);
        }
        catch (RedisServerException error) when (error.Message.Contains("BUSYGROUP", StringComparison.Ordinal))
        {
            // Another replica (or an earlier run) created it.
        }
    }

    [LoggerMessage(EventId = EventIds.ConsumerStarted, Level = LogLevel.Information, Message = "Worker consumer {Consumer} reading the ingest stream.")]
    private static partial void LogStarted(ILogger logger, string consumer);

    [LoggerMessage(EventId = EventIds.IngestReclaimed, Level = LogLevel.Information, Message = "Reclaimed {Count} idle ingest entries for consumer {Consumer}.")]
    private static partial void LogReclaimed(ILogger logger, int count, string consumer);

    [LoggerMessage(EventId = EventIds.IngestEntryOutcome, Level = LogLevel.Debug, Message = "Ingest entry {EntryId}: {Outcome}.")]
    private static partial void LogProcessed(ILogger logger, RedisValue entryId, string outcome);

    [LoggerMessage(EventId = EventIds.IngestEntryFailed, Level = LogLevel.Error, Message = "Ingest entry {EntryId} could not be processed at delivery {Delivery} of {MaxAttempts}; it stays pending.")]
    private static partial void LogEntryFailed(ILogger logger, RedisValue entryId, long delivery, int maxAttempts, Exception error);

    [LoggerMessage(EventId = EventIds.IngestGroupMissing, Level = LogLevel.Warning, Message = "The worker consumer group is missing from the ingest stream (NOGROUP); consumer {Consumer} creates it again.")]
    private static partial void LogGroupMissing(ILogger logger, string consumer);

    [LoggerMessage(EventId = EventIds.IngestEntryDeadLettered, Level = LogLevel.Error, Message = "Ingest entry {EntryId} failed at delivery {Delivery}: moved to the dead-letter stream and acknowledged.")]
    private static partial void LogGaveUp(ILogger logger, RedisValue entryId, long delivery, Exception error);

    [LoggerMessage(EventId = EventIds.IngestEntryWithoutOutcome, Level = LogLevel.Error, Message = "Ingest entry {EntryId} was delivered {Delivery} times without an outcome: moved to the dead-letter stream and acknowledged.")]
    private static partial void LogGaveUpWithoutOutcome(ILogger logger, RedisValue entryId, long delivery);
}
