using Able.Attribution.Configuration;
using Able.Attribution.Delivery;
using Able.Attribution.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Able.Attribution.Service.Worker;

/// <summary>
/// Reads the ingest stream with the worker consumer group: first this consumer's own pending entries
/// (left by a previous run), then new ones, and every so often entries other replicas left idle too
/// long (XAUTOCLAIM). An entry is acknowledged only after <see cref="ConversionIntake"/> stored its outcome.
/// </summary>
internal sealed partial class IngestConsumer(
    IConnectionMultiplexer redis,
    RedisKeys keys,
    ConversionIntake intake,
    WorkerCheckpoints checkpoints,
    IOptionsMonitor<AbleOptions> options,
    TimeProvider time,
    ILogger<IngestConsumer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.CurrentValue.Worker.Enabled)
        {
            return;
        }

        var consumer = options.CurrentValue.Worker.ConsumerName ?? Environment.MachineName;
        // Cursors, so an entry that keeps failing (left pending on purpose) never blocks the ones after it.
        RedisValue ownPendingCursor = "0";
        RedisValue claimCursor = "0-0";
        var ownPendingDone = false;
        var groupReady = false;
        var nextClaim = time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            var worker = options.CurrentValue.Worker;
            try
            {
                var db = redis.GetDatabase();
                if (!groupReady)
                {
                    await EnsureGroupAsync(db);
                    groupReady = true;
                    LogStarted(logger, consumer);
                }

                StreamEntry[] entries;
                if (!ownPendingDone)
                {
                    entries = await db.StreamReadGroupAsync(keys.IngestStream, RedisKeys.WorkerGroup, consumer, ownPendingCursor, worker.ReadCount);
                    ownPendingDone = entries.Length == 0;
                    ownPendingCursor = entries.Length == 0 ? ownPendingCursor : entries[^1].Id;
                }
                else if (time.GetUtcNow() >= nextClaim)
                {
                    var claimIdle = TimeSpan.FromSeconds(worker.ClaimIdleSeconds);
                    nextClaim = time.GetUtcNow() + claimIdle / 2;
                    var claimed = await db.StreamAutoClaimAsync(keys.IngestStream, RedisKeys.WorkerGroup, consumer,
                        (long)claimIdle.TotalMilliseconds, claimCursor, worker.ReadCount);
                    entries = claimed.ClaimedEntries;
                    claimCursor = claimed.NextStartId;
                    if (claimCursor != "0-0")
                    {
                        // More idle entries past this page: claim the next page on the next turn.
                        nextClaim = time.GetUtcNow();
                    }
                    if (entries.Length > 0)
                    {
                        LogReclaimed(logger, entries.Length, consumer);
                    }
                }
                else
                {
                    entries = await db.StreamReadGroupAsync(keys.IngestStream, RedisKeys.WorkerGroup, consumer, StreamPosition.NewMessages, worker.ReadCount);
                }

                foreach (var entry in entries)
                {
                    stoppingToken.ThrowIfCancellationRequested();
                    await HandleAsync(db, entry, stoppingToken);
                }

                if (entries.Length == 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(worker.PollIntervalMilliseconds), time, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (RedisException error)
            {
                LogRedisError(logger, error.GetType().Name, error);
                await DelayQuietlyAsync(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    private async Task HandleAsync(IDatabase db, StreamEntry entry, CancellationToken stoppingToken)
    {
        if (entry.IsNull || entry.Values.Length == 0)
        {
            // Trimmed from the stream while pending: nothing left to process.
            await db.StreamAcknowledgeAsync(keys.IngestStream, RedisKeys.WorkerGroup, entry.Id);
            return;
        }

        string outcome;
        try
        {
            outcome = await intake.ProcessAsync(entry);
        }
        catch (Exception error) when (error is not RedisException and not OperationCanceledException)
        {
            // Left pending: it is retried when reclaimed, and the log says why.
            LogEntryFailed(logger, entry.Id, error);
            return;
        }

        await checkpoints.ReachedAsync(WorkerCheckpoints.BeforeAck, stoppingToken);
        await db.StreamAcknowledgeAsync(keys.IngestStream, RedisKeys.WorkerGroup, entry.Id);
        LogProcessed(logger, entry.Id, outcome);
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

    private async Task DelayQuietlyAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, time, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    [LoggerMessage(EventId = 6201, Level = LogLevel.Information, Message = "Worker consumer {Consumer} reading the ingest stream.")]
    private static partial void LogStarted(ILogger logger, string consumer);

    [LoggerMessage(EventId = 6202, Level = LogLevel.Information, Message = "Reclaimed {Count} idle ingest entries for consumer {Consumer}.")]
    private static partial void LogReclaimed(ILogger logger, int count, string consumer);

    [LoggerMessage(EventId = 6203, Level = LogLevel.Debug, Message = "Ingest entry {EntryId}: {Outcome}.")]
    private static partial void LogProcessed(ILogger logger, RedisValue entryId, string outcome);

    [LoggerMessage(EventId = 6204, Level = LogLevel.Error, Message = "Ingest entry {EntryId} could not be processed; it stays pending.")]
    private static partial void LogEntryFailed(ILogger logger, RedisValue entryId, Exception error);

    [LoggerMessage(EventId = 6205, Level = LogLevel.Warning, Message = "Worker cannot reach Redis ({Kind}); trying again.")]
    private static partial void LogRedisError(ILogger logger, string kind, Exception error);
}
