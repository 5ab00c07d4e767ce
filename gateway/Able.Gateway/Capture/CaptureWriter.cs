using Able.Schema.Configuration;
using Able.Schema.Redis;
using Able.Schema.Stats;
using Able.Schema.Visitors;
using Able.Supervision;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Able.Gateway.Capture;

/// <summary>
/// Drains the capture queue into Redis in pipelined batches (every command of a batch is sent before any
/// reply is awaited). When Redis fails, the batch is retried with growing pauses while the queue absorbs
/// new captures; the writer resumes by itself when Redis returns. On shutdown it flushes what is queued for
/// at most <c>Able:Gateway:Capture:ShutdownFlushSeconds</c> and counts the rest as dropped. The flush starts
/// once the web server has stopped (<see cref="StoppedAsync"/>), so no request can queue a capture after it.
/// An outage shows in <see cref="LoopHealth"/> (/readyz, <c>able_loop_up{loop="capture-writer"}</c>) and is logged once
/// when it starts and once when it ends; an unexpected exception ends the writer and stops the gateway with a
/// non-zero exit code, so its supervisor restarts it.
/// </summary>
internal sealed partial class CaptureWriter(
    CaptureQueue queue,
    IConnectionMultiplexer redis,
    RedisKeys keys,
    IOptions<AbleOptions> options,
    CaptureMetrics metrics,
    LoopHealth health,
    TimeProvider time,
    ILogger<CaptureWriter> logger) : BackgroundService, IHostedLifecycleService
{
    /// <summary>The loop's name in logs, /readyz and <c>able_loop_up{loop}</c>.</summary>
    public const string LoopName = "capture-writer";

    private readonly CaptureOptions capture = options.Value.Gateway.Capture;

    private bool encodingChecked;

    // The report counters of the last batch, on their way (awaited before the process ends).
    private Task countersWritten = Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Keeps writing while the server drains its requests; the flush happens in <see cref="StoppedAsync"/>.</summary>
    public override Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Called after every hosted service, the web server included, has stopped: flush and end.</summary>
    public Task StoppedAsync(CancellationToken cancellationToken) => base.StopAsync(cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        health.Register(LoopName);
        var batch = new List<CaptureRecord>(capture.BatchSize);
        try
        {
            var linger = TimeSpan.FromMilliseconds(capture.BatchLingerMilliseconds);
            while (await queue.Reader.WaitToReadAsync(stoppingToken))
            {
                Fill(batch);
                if (batch.Count < capture.BatchSize && linger > TimeSpan.Zero)
                {
                    // Let the batch fill: one round trip for many captures under load, a few ms of delay when idle.
                    await Task.Delay(linger, time, stoppingToken);
                    Fill(batch);
                }

                await WriteUntilDoneAsync(batch, stoppingToken);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: flush below.
        }

        await FlushOnShutdownAsync(batch);
    }

    private void Fill(List<CaptureRecord> batch)
    {
        while (batch.Count < capture.BatchSize && queue.Reader.TryRead(out var record))
        {
            batch.Add(record);
        }

        metrics.QueueDepth(queue.Count);
    }

    private async Task WriteUntilDoneAsync(List<CaptureRecord> batch, CancellationToken cancellationToken)
    {
        // The same backoff as every supervised loop: 250 ms doubling to 5 s, jittered.
        var delay = SupervisedLoop.FirstRetryDelay;
        while (true)
        {
            try
            {
                await WriteAsync(batch);
                if (health.Succeeded(LoopName) is { } outage)
                {
                    var outageSeconds = (time.GetUtcNow() - outage.Since).TotalSeconds;
                    LogRecovered(logger, batch.Count, outageSeconds);
                }

                return;
            }
            catch (Exception error) when (TransientFailure.IsUnavailable(error))
            {
                // Redis unreachable or slow: keep the batch and try again; the queue absorbs new captures.
                if (health.Failed(LoopName, error, time.GetUtcNow()) is not null)
                {
                    LogWriteFailed(logger, batch.Count, error.GetType().Name, queue.Count, error);
                }

                await Task.Delay(SupervisedLoop.Jittered(delay), time, cancellationToken);
                delay = SupervisedLoop.NextRetryDelay(delay);
            }
            catch (RedisException error)
            {
                // Redis answered with an error (a key of the wrong type, out of memory): retrying the same batch
                // would block every later capture, so it is dropped and counted.
                metrics.Dropped(CaptureMetrics.RedisError, batch.Count);
                LogWriteRejected(logger, batch.Count, error.GetType().Name);
                return;
            }
        }
    }

    private async Task FlushOnShutdownAsync(List<CaptureRecord> batch)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(capture.ShutdownFlushSeconds));
        try
        {
            do
            {
                Fill(batch);
                if (batch.Count > 0)
                {
                    await WriteUntilDoneAsync(batch, deadline.Token);
                    batch.Clear();
                }
            }
            while (queue.Count > 0 && !deadline.IsCancellationRequested);
        }
        catch (OperationCanceledException)
        {
            // Flush time is up.
        }

        try
        {
            // The last batch's counters are already sent; let their answer arrive before the process ends.
            await countersWritten.WaitAsync(TimeSpan.FromSeconds(capture.ShutdownFlushSeconds));
        }
        catch (TimeoutException)
        {
            // Counters only: the captures are written.
        }

        var lost = batch.Count + queue.Count;
        if (lost > 0)
        {
            metrics.Dropped(CaptureMetrics.Shutdown, lost);
            LogShutdownDropped(logger, lost, capture.ShutdownFlushSeconds);
        }
    }

    private async Task WriteAsync(List<CaptureRecord> records)
    {
        var database = redis.GetDatabase();
        var batch = database.CreateBatch();
        var pending = new List<Task>(records.Count);
        var scripts = new List<Task<RedisResult>>(records.Count);
        foreach (var record in records)
        {
            Queue(batch, record, pending, scripts);
        }

        batch.Execute();
        try
        {
            await Task.WhenAll(pending);
        }
        catch (RedisException error) when (!TransientFailure.IsUnavailable(error))
        {
            // Redis refused part of the batch (the caller drops it): the captures it did write are still counted.
            WriteCounters(database, records, scripts);
            throw;
        }

        var counterCommands = WriteCounters(database, records, scripts);
        metrics.BatchWritten(records.Count, pending.Count + counterCommands);
        foreach (var record in records)
        {
            metrics.Written(record);
        }

        if (!encodingChecked)
        {
            encodingChecked = true;
            await CheckEncodingAsync(database, records[0]);
        }
    }

    /// <summary>
    /// Once per process: whether Redis keeps a visitor hash in its compact encoding (listpack), which needs
    /// <c>hash-max-listpack-value</c> above the longest value (a user agent, the first touch); Redis's default of 64 bytes
    /// stores each visitor in about twice the memory. Says so in the log; capture works either way.
    /// </summary>
    private async Task CheckEncodingAsync(IDatabase database, CaptureRecord record)
    {
        const int CompactEnough = 512;
        if (record.Touch.UserAgent is { Length: > CompactEnough } || record.Touch.Url is { Length: > CompactEnough / 2 })
        {
            encodingChecked = false; // a visitor this large is in the large encoding anyway; ask about the next one
            return;
        }

        try
        {
            var encoding = (string?)await database.ExecuteAsync("OBJECT", "ENCODING", keys.Visitor(record.VisitorId));
            if (encoding == "hashtable")
            {
                LogLargeEncoding(logger);
            }
        }
        catch (Exception error) when (error is RedisException or TimeoutException)
        {
            // OBJECT refused (a managed Redis may rename or disable it) or slow: nothing to say. Never thrown on: the batch
            // is written, and the writer's retry would write it again.
        }
    }

    /// <summary>
    /// Sends the report counters of the written captures (<see cref="CaptureCounters"/>: one script per funnel and day in
    /// the batch) without waiting for them: the next batch waits behind them on the connection anyway, and a counter that
    /// fails is logged and counted, never retried with the captures (which are written) nor holding up the next batch.
    /// Returns the number of commands sent.
    /// </summary>
    private int WriteCounters(IDatabase database, List<CaptureRecord> records, List<Task<RedisResult>> scripts)
    {
        var units = CaptureCounters.Sum(records, scripts);
        if (units.Count == 0)
        {
            return 0;
        }

        var writes = new List<Task>(units.Count);
        try
        {
            var batch = database.CreateBatch();
            foreach (var ((mark, day), unit) in units)
            {
                writes.Add(StatsUpdate.ApplyAsync(batch, keys, mark, day, [unit], TimeSpan.Zero));
            }

            batch.Execute();
        }
        catch (Exception error) when (error is RedisException or TimeoutException)
        {
            // Never thrown on: the captures are written, and the writer's retry would write them again.
            CountersFailed(error);
            return 0;
        }

        countersWritten = Task.WhenAll(writes).ContinueWith(
            static (done, state) =>
            {
                if (done.Exception?.InnerException is { } error)
                {
                    ((CaptureWriter)state!).CountersFailed(error);
                }
            },
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return units.Count;
    }

    private void CountersFailed(Exception error)
    {
        metrics.CounterWriteFailed();
        LogCountersFailed(logger, error.GetType().Name, error.Message);
    }

    private void Queue(IBatch batch, CaptureRecord record, List<Task> pending, List<Task<RedisResult>> scripts)
    {
        var script = CaptureScript.QueueAsync(batch, keys, record, capture.MaxTouches);
        scripts.Add(script);
        pending.Add(script);
        if (record.EmailHash is not null)
        {
            // Atomic add to the set the worker also adds to (VisitorContactHashes: never a read-merge-write).
            pending.Add(VisitorContactHashes.AppendAsync(batch, keys, record.VisitorId, VisitorFields.EmailHashes, record.EmailHash));
            pending.Add(batch.StringSetAsync(keys.EmailLink(record.EmailHash), record.VisitorId, record.Retention));
        }

        if (record.InviteeUuid is not null)
        {
            pending.Add(batch.StringSetAsync(keys.InviteeLink(record.InviteeUuid), record.VisitorId, record.Retention));
        }
    }

    [LoggerMessage(EventId = EventIds.CaptureWriteFailed, Level = LogLevel.Warning,
        Message = "Writing {Count} captures to Redis failed ({ErrorType}); retrying with backoff while {Queued} wait in the queue. Logged once per outage.")]
    private static partial void LogWriteFailed(ILogger logger, int count, string errorType, int queued, Exception error);

    [LoggerMessage(EventId = EventIds.CaptureWriteRejected, Level = LogLevel.Error, Message = "Redis rejected a batch of {Count} captures ({ErrorType}); dropped it")]
    private static partial void LogWriteRejected(ILogger logger, int count, string errorType);

    [LoggerMessage(EventId = EventIds.CaptureWriteRecovered, Level = LogLevel.Information, Message = "Redis accepts captures again after {OutageSeconds:0.0} s; wrote the batch of {Count} that was waiting")]
    private static partial void LogRecovered(ILogger logger, int count, double outageSeconds);

    [LoggerMessage(EventId = EventIds.CaptureLargeEncoding, Level = LogLevel.Warning,
        Message = "Redis keeps visitor hashes in its large encoding (about twice the memory per visitor): set hash-max-listpack-value 1024 in the Redis configuration (README, \"Operations: sizing Redis\")")]
    private static partial void LogLargeEncoding(ILogger logger);

    [LoggerMessage(EventId = EventIds.CaptureCountersFailed, Level = LogLevel.Warning,
        Message = "Writing the report counters of a written batch of captures failed ({ErrorType}: {Message}); the captures are stored, the funnel's report misses them")]
    private static partial void LogCountersFailed(ILogger logger, string errorType, string message);

    [LoggerMessage(EventId = EventIds.CaptureShutdownDropped, Level = LogLevel.Warning, Message = "Dropped {Count} captures still queued after the {Seconds} s shutdown flush")]
    private static partial void LogShutdownDropped(ILogger logger, int count, int seconds);
}
