using System.Collections.Concurrent;
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

    // Per source and funnel mark: the newest delivery time to note, and whether a write of it is on its way.
    private readonly ConcurrentDictionary<(string Source, string Mark), LastDeliveryNote> lastDeliveries = new();

    /// <summary>
    /// Notes when a funnel last got a delivery from <paramref name="source"/> (calendly, stripe or api:
    /// <see cref="RedisKeys.LastDelivery"/>) without waiting, so it neither slows nor fails the delivery it follows. At most
    /// one SET per source and funnel is on its way: deliveries queued meanwhile are noted by one more SET of the newest time
    /// when it is answered, so the key ends with the last delivery's time, in one write per Redis round trip rather than
    /// one per webhook.
    /// </summary>
    public void RecordDelivery(string source, string mark)
    {
        var note = lastDeliveries.GetOrAdd((source, mark), static _ => new LastDeliveryNote());
        Interlocked.Exchange(ref note.Latest, time.GetUtcNow().ToUnixTimeMilliseconds());
        if (Interlocked.Exchange(ref note.Writing, 1) == 0)
        {
            WriteLastDelivery((source, mark), note);
        }
    }

    /// <summary>Writes the note's newest time (the caller set <see cref="LastDeliveryNote.Writing"/>), then again if a newer one came meanwhile.</summary>
    private void WriteLastDelivery((string Source, string Mark) funnel, LastDeliveryNote note)
    {
        var written = Volatile.Read(ref note.Latest);
        Task write;
        try
        {
            write = redis.GetDatabase().StringSetAsync(keys.LastDelivery(funnel.Source, funnel.Mark), written);
        }
        catch (RedisException)
        {
            // No connection at this instant: the delivery is stored already; only the status line misses it until the next one.
            Volatile.Write(ref note.Writing, 0);
            return;
        }

        write.ContinueWith(
            (done, state) =>
            {
                _ = done.Exception; // A failed note is only a status line; the next delivery writes it again.
                var (writer, funnel, noted, value) = ((IngestWriter, (string, string), LastDeliveryNote, long))state!;
                Volatile.Write(ref noted.Writing, 0);
                if (Volatile.Read(ref noted.Latest) != value && Interlocked.Exchange(ref noted.Writing, 1) == 0)
                {
                    writer.WriteLastDelivery(funnel, noted);
                }
            },
            (this, funnel, note, written),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
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

    /// <summary>A funnel's newest Calendly delivery time (Unix ms) and whether a write of it is on its way (1) or not (0).</summary>
    private sealed class LastDeliveryNote
    {
        public long Latest;
        public int Writing;
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
