using System.Globalization;
using Able.Attribution.Ingest;
using Able.Schema.Redis;
using StackExchange.Redis;

namespace Able.Attribution.Service.Ingress;

/// <summary>One stream entry to write: the funnel, the event type and the delivery's <see cref="IngestFacts"/> (never its raw bytes).</summary>
internal readonly record struct IngestItem(string Mark, string SourceEvent, IngestFacts Facts);

/// <summary>
/// Appends verified deliveries to the ingest stream (<see cref="RedisKeys.IngestStream"/>, fields of
/// <see cref="IngestEntry"/>). One item is one XADD; several are one MULTI/EXEC, so a batch lands whole or
/// not at all. Returns only after Redis acknowledged, or false when Redis is disconnected, fails or does not
/// answer within the configured time. An outage is logged once when it starts (Warning) and once when it ends
/// (Information, with how many deliveries were refused), not once per refused delivery.
/// </summary>
internal sealed class IngestWriter(
    IConnectionMultiplexer redis, RedisKeys keys, IngressFunnels funnels, TimeProvider time, ILogger<IngestWriter> logger)
{
    // Unix ms when writes began to fail (0 while they work), and the deliveries refused since.
    private long failingSince;
    private long refusedInOutage;

    /// <summary>
    /// Notes when a funnel's Calendly webhook was last queued (<see cref="RedisKeys.CalendlyLastDelivery"/>): fire-and-forget,
    /// so it neither slows nor fails the delivery it follows.
    /// </summary>
    public void RecordCalendlyDelivery(string mark)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        try
        {
            _ = redis.GetDatabase().StringSetAsync(keys.CalendlyLastDelivery(mark), now, flags: CommandFlags.FireAndForget);
        }
        catch (RedisException)
        {
            // No connection at this instant: the delivery is stored already; only the status line misses this one.
        }
    }

    public async Task<bool> WriteAsync(string source, IReadOnlyList<IngestItem> items, CancellationToken cancellationToken)
    {
        var timeoutMs = funnels.Limits.RedisWriteTimeoutMilliseconds;
        var database = redis.GetDatabase();
        var stream = keys.IngestStream;
        // While disconnected the client would park the command in its backlog and might run it after we have
        // answered 503; refusing up front keeps "503 means not written" true except for a disconnect mid-write.
        if (!database.IsConnected(stream))
        {
            return Refused(source, items, timeoutMs, "not connected");
        }

        var receivedAt = time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        try
        {
            if (items.Count == 1)
            {
                await database.StreamAddAsync(stream, Fields(source, receivedAt, items[0]))
                    .WaitAsync(TimeSpan.FromMilliseconds(timeoutMs), cancellationToken);
                return Written();
            }

            var transaction = database.CreateTransaction();
            var adds = new List<Task<RedisValue>>(items.Count);
            foreach (var item in items)
            {
                adds.Add(transaction.StreamAddAsync(stream, Fields(source, receivedAt, item)));
            }

            var committed = transaction.ExecuteAsync();
            try
            {
                return await committed.WaitAsync(TimeSpan.FromMilliseconds(timeoutMs), cancellationToken) && Written();
            }
            finally
            {
                // Observe the per-command tasks whatever happened, so a failed EXEC leaves no unobserved faults.
                _ = Task.WhenAll(adds).ContinueWith(
                    static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }
        }
        catch (Exception error) when (error is RedisException or TimeoutException)
        {
            return Refused(source, items, timeoutMs, error.GetType().Name);
        }
    }

    /// <summary>Counts a refused delivery; logs it as the start of an outage, or at Debug during one. Returns false.</summary>
    private bool Refused(string source, IReadOnlyList<IngestItem> items, int timeoutMs, string reason)
    {
        Interlocked.Increment(ref refusedInOutage);
        if (Interlocked.CompareExchange(ref failingSince, time.GetUtcNow().ToUnixTimeMilliseconds(), 0) == 0)
        {
            IngressLog.IngestUnavailable(logger, source, items[0].Mark, items.Count, timeoutMs, reason);
        }
        else
        {
            IngressLog.IngestStillUnavailable(logger, source, items[0].Mark, reason);
        }

        return false;
    }

    /// <summary>A write Redis acknowledged: ends an outage (logged once). Returns true.</summary>
    private bool Written()
    {
        if (Volatile.Read(ref failingSince) != 0 && Interlocked.Exchange(ref failingSince, 0) is var since and not 0)
        {
            var outageSeconds = (time.GetUtcNow().ToUnixTimeMilliseconds() - since) / 1000.0;
            var refused = Interlocked.Exchange(ref refusedInOutage, 0);
            IngressLog.IngestAvailableAgain(logger, outageSeconds, refused);
        }

        return true;
    }

    private static NameValueEntry[] Fields(string source, string receivedAt, IngestItem item) =>
    [
        new(IngestEntry.Source, source),
        new(IngestEntry.Mark, item.Mark),
        new(IngestEntry.SourceEvent, item.SourceEvent),
        new(IngestEntry.ReceivedAt, receivedAt),
        new(IngestEntry.Facts, item.Facts.ToUtf8Json()),
    ];
}
