using Able.Schema.Redis;
using StackExchange.Redis;

namespace Able.Attribution.Delivery;

/// <summary>
/// The durable side of delivery in Redis: the dedup ledger (pixel + event + event_id, reserved once), the pending
/// jobs, and the schedule (sorted set by due time) that holds first attempts, late-join waits and retries alike,
/// so a restart loses nothing. None of these keys carries a TTL, so a <c>volatile-*</c> eviction policy can
/// never drop one: a job is written and deleted together with its schedule member, and a ledger entry expires
/// through its score in the ledger expiry index, removed by <see cref="RemoveExpiredLedgerEntriesAsync"/>.
/// </summary>
public sealed class DeliveryStore(IConnectionMultiplexer redis, RedisKeys keys, TimeProvider time)
{
    public const string Sent = "sent";
    public const string DryRun = "dry_run";
    public const string Dead = "dead";

    /// <summary>Expired ledger entries removed per script call: each call blocks Redis only briefly.</summary>
    public const int LedgerCleanupBatchSize = 500;

    /// <summary>Script calls per cleanup pass (once a minute): at most 10,000 entries a minute, 14 million a day.</summary>
    public const int LedgerCleanupMaxBatches = 20;

    private const string QueuedPrefix = "queued:";

    // Takes up to ARGV[3] members due by ARGV[1] and pushes them to ARGV[2] (a lease): a replica that dies
    // while holding them lets them fall due again for another replica.
    // The lease is one ZADD of all the taken members (in pages of 500, well inside Lua's unpack limit), not one per member.
    private static readonly LuaScript ClaimScript = LuaScript.Prepare("""
        local due = redis.call('ZRANGEBYSCORE', @schedule, '-inf', @now, 'LIMIT', 0, @max)
        for first = 1, #due, 500 do
          local scored = {}
          for i = first, math.min(first + 499, #due) do
            scored[#scored + 1] = @lease
            scored[#scored + 1] = due[i]
          end
          redis.call('ZADD', @schedule, unpack(scored))
        end
        return due
        """);

    // SET NX that also indexes the new entry by its expiry (the index first, in one atomic step): true when
    // this entry reserved it now or earlier.
    private static readonly LuaScript ReserveScript = LuaScript.Prepare("""
        local current = redis.call('GET', @ledger)
        if not current then
          redis.call('ZADD', @expiryIndex, @expiresAt, @deliveryId)
          redis.call('SET', @ledger, @mine)
          return 1
        end
        if current == @mine then
          return 1
        end
        return 0
        """);

    // The final state, retention counted from now (a plain SET also drops the TTL an older version gave the key).
    private static readonly LuaScript FinishScript = LuaScript.Prepare("""
        redis.call('ZADD', @expiryIndex, @expiresAt, @deliveryId)
        redis.call('SET', @ledger, @state)
        """);

    // A job and its schedule member are written and removed together, so neither is ever left without the other.
    private static readonly LuaScript EnqueueScript = LuaScript.Prepare("""
        redis.call('SET', @job, @json, 'NX')
        redis.call('ZADD', @schedule, 'NX', @due, @deliveryId)
        """);

    private static readonly LuaScript RescheduleScript = LuaScript.Prepare("""
        redis.call('SET', @job, @json)
        redis.call('ZADD', @schedule, @due, @deliveryId)
        """);

    private static readonly LuaScript RemoveScript = LuaScript.Prepare("""
        redis.call('ZREM', @schedule, @deliveryId)
        redis.call('DEL', @job)
        """);

    // FinishScript for many deliveries in one step: KEYS[1] the expiry index, KEYS[i] (i > 1) the ledger entry of delivery
    // id ARGV[2i - 2] expiring at ARGV[2i - 1] (Unix ms), ARGV[1] the state. The index first (one ZADD per page of 500), as
    // FinishScript does.
    private const string FinishManyScript = """
        local count = #KEYS - 1
        for first = 1, count, 500 do
          local scored = {}
          for i = first, math.min(first + 499, count) do
            scored[#scored + 1] = ARGV[2 * i + 1]
            scored[#scored + 1] = ARGV[2 * i]
          end
          redis.call('ZADD', KEYS[1], unpack(scored))
        end
        for i = 2, #KEYS do
          redis.call('SET', KEYS[i], ARGV[1])
        end
        """;

    // RemoveScript for many deliveries in one step: KEYS[1] the schedule, KEYS[i] (i > 1) the job of delivery id ARGV[i - 1];
    // one ZREM and one DEL per page of 500.
    private const string RemoveManyScript = """
        local count = #KEYS - 1
        for first = 1, count, 500 do
          local last = math.min(first + 499, count)
          redis.call('ZREM', KEYS[1], unpack(ARGV, first, last))
          redis.call('DEL', unpack(KEYS, first + 1, last + 1))
        end
        """;

    // KEYS[1] the expiry index, KEYS[i] (i > 1) the ledger entry of delivery id ARGV[i], ARGV[1] now (Unix ms).
    // The score is read again here: an entry re-reserved or finished since it was listed has a later one and stays.
    private const string RemoveIfExpiredScript = """
        local removed = 0
        for i = 2, #KEYS do
          local expiresAt = redis.call('ZSCORE', KEYS[1], ARGV[i])
          if expiresAt and tonumber(expiresAt) <= tonumber(ARGV[1]) then
            redis.call('DEL', KEYS[i])
            redis.call('ZREM', KEYS[1], ARGV[i])
            removed = removed + 1
          end
        end
        return removed
        """;

    private IDatabase Db => redis.GetDatabase();

    /// <summary>
    /// Reserves a delivery for a stream entry for <paramref name="retention"/>. False when another entry (a
    /// duplicate webhook or a replay) already reserved or delivered it; true again for the same entry after a
    /// crash or a reclaim.
    /// </summary>
    public async Task<bool> ReserveAsync(string deliveryId, string entryId, TimeSpan retention)
    {
        var reserved = await Db.ScriptEvaluateAsync(ReserveScript, new
        {
            ledger = keys.DeliveryLedger(deliveryId),
            expiryIndex = keys.DeliveryLedgerExpiry,
            deliveryId,
            mine = QueuedPrefix + entryId,
            expiresAt = ExpiresAt(retention),
        });
        return (long)reserved == 1;
    }

    /// <summary>Stores the job (unless it exists: a reclaimed entry) and schedules it (unless scheduled).</summary>
    public Task EnqueueAsync(DeliveryJob job, DateTimeOffset due) => WriteJobAsync(EnqueueScript, job, due);

    /// <summary>Claims up to <paramref name="max"/> jobs due by <paramref name="now"/> until <paramref name="leaseEnd"/> (<see cref="DeliveryTiming.LeaseEnd"/>).</summary>
    public async Task<string[]> ClaimDueAsync(DateTimeOffset now, DateTimeOffset leaseEnd, int max)
    {
        var result = await Db.ScriptEvaluateAsync(ClaimScript, new
        {
            schedule = keys.DeliverySchedule,
            now = now.ToUnixTimeMilliseconds(),
            lease = leaseEnd.ToUnixTimeMilliseconds(),
            max,
        });
        return result.IsNull ? [] : [.. ((RedisResult[])result!).Select(r => r.ToString())];
    }

    /// <summary>
    /// The stored job (<see cref="StoredDeliveryJob.Job"/> null when there is none), or, when its text cannot be read,
    /// that text and the <see cref="StoredDeliveryJob.Problem"/>, so the caller dead-letters it instead of failing on it
    /// at every pass.
    /// </summary>
    public async Task<StoredDeliveryJob> GetAsync(string deliveryId)
    {
        string? json = await Db.StringGetAsync(keys.DeliveryJob(deliveryId));
        return DeliveryJob.TryFromJson(json, out var job, out var problem) ? new(job, json, null) : new(null, json, problem);
    }

    /// <summary>The ledger state: sent, dry_run or dead once finished; null or queued:&lt;entry&gt; before.</summary>
    public async Task<string?> LedgerAsync(string deliveryId) => await Db.StringGetAsync(keys.DeliveryLedger(deliveryId));

    public static bool IsFinished(string? ledger) => ledger is Sent or DryRun or Dead;

    /// <summary>Saves the job (a built payload, an attempt count) and sets its next due time.</summary>
    public Task RescheduleAsync(DeliveryJob job, DateTimeOffset due) => WriteJobAsync(RescheduleScript, job, due);

    /// <summary>
    /// Records the final state in the ledger, kept for <paramref name="retention"/> from now; from here on the
    /// delivery is never sent again.
    /// </summary>
    public Task MarkFinishedAsync(string deliveryId, string state, TimeSpan retention) =>
        Db.ScriptEvaluateAsync(FinishScript, new
        {
            ledger = keys.DeliveryLedger(deliveryId),
            expiryIndex = keys.DeliveryLedgerExpiry,
            deliveryId,
            state,
            expiresAt = ExpiresAt(retention),
        });

    /// <summary>
    /// <see cref="MarkFinishedAsync"/> for several deliveries in one atomic step (one round trip, one ZADD of the expiry
    /// index), each kept for its own retention from now.
    /// </summary>
    public Task MarkFinishedAsync(IReadOnlyList<(string DeliveryId, TimeSpan Retention)> deliveries, string state)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        if (deliveries.Count == 0)
        {
            return Task.CompletedTask;
        }

        var scriptKeys = new RedisKey[deliveries.Count + 1];
        var scriptValues = new RedisValue[(2 * deliveries.Count) + 1];
        scriptKeys[0] = keys.DeliveryLedgerExpiry;
        scriptValues[0] = state;
        for (var i = 0; i < deliveries.Count; i++)
        {
            var (deliveryId, retention) = deliveries[i];
            scriptKeys[i + 1] = keys.DeliveryLedger(deliveryId);
            scriptValues[(2 * i) + 1] = deliveryId;
            scriptValues[(2 * i) + 2] = ExpiresAt(retention);
        }

        return Db.ScriptEvaluateAsync(FinishManyScript, scriptKeys, scriptValues);
    }

    /// <summary><see cref="RemoveAsync(string)"/> for several finished jobs in one atomic step (one ZREM, one DEL).</summary>
    public Task RemoveAsync(IReadOnlyList<string> deliveryIds)
    {
        ArgumentNullException.ThrowIfNull(deliveryIds);
        if (deliveryIds.Count == 0)
        {
            return Task.CompletedTask;
        }

        RedisKey[] scriptKeys = [keys.DeliverySchedule, .. deliveryIds.Select(keys.DeliveryJob)];
        RedisValue[] scriptValues = [.. deliveryIds.Select(id => (RedisValue)id)];
        return Db.ScriptEvaluateAsync(RemoveManyScript, scriptKeys, scriptValues);
    }

    /// <summary>Removes a finished job: its schedule member and its JSON.</summary>
    public Task RemoveAsync(string deliveryId) =>
        Db.ScriptEvaluateAsync(RemoveScript, new
        {
            schedule = keys.DeliverySchedule,
            job = keys.DeliveryJob(deliveryId),
            deliveryId,
        });

    /// <summary>
    /// Gives claimed jobs back before their lease ends, due at <paramref name="due"/> (only those still in the schedule: one
    /// finished meanwhile stays gone).
    /// </summary>
    public Task ReleaseAsync(IReadOnlyList<string> deliveryIds, DateTimeOffset due)
    {
        ArgumentNullException.ThrowIfNull(deliveryIds);
        return deliveryIds.Count == 0
            ? Task.CompletedTask
            : Db.SortedSetAddAsync(keys.DeliverySchedule, [.. deliveryIds.Select(id => new SortedSetEntry(id, due.ToUnixTimeMilliseconds()))], SortedSetWhen.Exists);
    }

    /// <summary>Jobs in the schedule (first attempts, late-join waits and retries).</summary>
    public Task<long> BacklogAsync() => Db.SortedSetLengthAsync(keys.DeliverySchedule);

    /// <summary>
    /// Deletes ledger entries whose retention ended by <paramref name="now"/>, oldest first, in at most
    /// <paramref name="maxBatches"/> script calls of <paramref name="batchSize"/> entries; returns how many went.
    /// Ledger keys an older version wrote with a TTL are not indexed: they expire by their TTL as before.
    /// </summary>
    public async Task<long> RemoveExpiredLedgerEntriesAsync(
        DateTimeOffset now, int batchSize = LedgerCleanupBatchSize, int maxBatches = LedgerCleanupMaxBatches)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        long removed = 0;
        for (var batch = 0; batch < maxBatches; batch++)
        {
            var expired = await Db.SortedSetRangeByScoreAsync(
                keys.DeliveryLedgerExpiry, double.NegativeInfinity, now.ToUnixTimeMilliseconds(), take: batchSize);
            if (expired.Length == 0)
            {
                break;
            }

            removed += await RemoveLedgerEntriesIfExpiredAsync([.. expired.Select(id => id.ToString())], now);
            if (expired.Length < batchSize)
            {
                break;
            }
        }

        return removed;
    }

    /// <summary>
    /// Deletes the ledger entries of <paramref name="deliveryIds"/> whose indexed expiry is still due by
    /// <paramref name="now"/> when the script runs; returns how many went.
    /// </summary>
    internal async Task<long> RemoveLedgerEntriesIfExpiredAsync(IReadOnlyList<string> deliveryIds, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(deliveryIds);
        if (deliveryIds.Count == 0)
        {
            return 0;
        }

        RedisKey[] scriptKeys = [keys.DeliveryLedgerExpiry, .. deliveryIds.Select(keys.DeliveryLedger)];
        RedisValue[] scriptValues = [now.ToUnixTimeMilliseconds(), .. deliveryIds.Select(id => (RedisValue)id)];
        return (long)await Db.ScriptEvaluateAsync(RemoveIfExpiredScript, scriptKeys, scriptValues);
    }

    /// <summary>Runs <paramref name="script"/> (enqueue or reschedule) on the job and its schedule member together.</summary>
    private Task<RedisResult> WriteJobAsync(LuaScript script, DeliveryJob job, DateTimeOffset due)
    {
        ArgumentNullException.ThrowIfNull(job);
        return Db.ScriptEvaluateAsync(script, new
        {
            job = keys.DeliveryJob(job.Id),
            schedule = keys.DeliverySchedule,
            json = job.ToJson(),
            due = due.ToUnixTimeMilliseconds(),
            deliveryId = job.Id,
        });
    }

    private long ExpiresAt(TimeSpan retention) => (time.GetUtcNow() + retention).ToUnixTimeMilliseconds();
}

/// <summary>A job as read from Redis: the job, or the text that could not be read and why.</summary>
public readonly record struct StoredDeliveryJob(DeliveryJob? Job, string? Json, string? Problem);
