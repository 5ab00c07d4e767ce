using Able.Attribution.Redis;
using StackExchange.Redis;

namespace Able.Attribution.Delivery;

/// <summary>
/// The durable side of delivery in Redis: the dedup ledger (pixel + event + event_id, SET NX with expiry),
/// the pending jobs, and the schedule (sorted set by due time) that holds first attempts, late-join waits
/// and retries alike, so a restart loses nothing.
/// </summary>
public sealed class DeliveryStore(IConnectionMultiplexer redis, RedisKeys keys)
{
    public const string Sent = "sent";
    public const string DryRun = "dry_run";
    public const string Dead = "dead";
    private const string QueuedPrefix = "queued:";

    // Takes up to ARGV[3] members due by ARGV[1] and pushes them to ARGV[2] (a lease): a replica that dies
    // while holding them lets them fall due again for another replica.
    private static readonly LuaScript ClaimScript = LuaScript.Prepare("""
        local due = redis.call('ZRANGEBYSCORE', @schedule, '-inf', @now, 'LIMIT', 0, @max)
        for _, member in ipairs(due) do
          redis.call('ZADD', @schedule, @lease, member)
        end
        return due
        """);

    private IDatabase Db => redis.GetDatabase();

    /// <summary>
    /// Reserves a delivery for a stream entry. False when another entry (a duplicate webhook or a replay)
    /// already reserved or delivered it; true again for the same entry after a crash or a reclaim.
    /// </summary>
    public async Task<bool> ReserveAsync(string deliveryId, string entryId, TimeSpan retention)
    {
        var ledger = keys.DeliveryLedger(deliveryId);
        var mine = QueuedPrefix + entryId;
        if (await Db.StringSetAsync(ledger, mine, retention, When.NotExists))
        {
            return true;
        }

        return await Db.StringGetAsync(ledger) == mine;
    }

    /// <summary>Stores the job (unless it exists: a reclaimed entry) and schedules it (unless scheduled).</summary>
    public async Task EnqueueAsync(DeliveryJob job, DateTimeOffset due, TimeSpan keep)
    {
        ArgumentNullException.ThrowIfNull(job);
        var db = Db;
        await db.StringSetAsync(keys.DeliveryJob(job.Id), job.ToJson(), keep, When.NotExists);
        await db.SortedSetAddAsync(keys.DeliverySchedule, job.Id, due.ToUnixTimeMilliseconds(), SortedSetWhen.NotExists);
    }

    /// <summary>Claims up to <paramref name="max"/> due jobs for <paramref name="lease"/>.</summary>
    public async Task<string[]> ClaimDueAsync(DateTimeOffset now, TimeSpan lease, int max)
    {
        var result = await Db.ScriptEvaluateAsync(ClaimScript, new
        {
            schedule = keys.DeliverySchedule,
            now = now.ToUnixTimeMilliseconds(),
            lease = (now + lease).ToUnixTimeMilliseconds(),
            max,
        });
        return result.IsNull ? [] : [.. ((RedisResult[])result!).Select(r => r.ToString())];
    }

    public async Task<DeliveryJob?> GetAsync(string deliveryId) =>
        DeliveryJob.FromJson(await Db.StringGetAsync(keys.DeliveryJob(deliveryId)));

    /// <summary>The ledger state: sent, dry_run or dead once finished; null or queued:&lt;entry&gt; before.</summary>
    public async Task<string?> LedgerAsync(string deliveryId) => await Db.StringGetAsync(keys.DeliveryLedger(deliveryId));

    public static bool IsFinished(string? ledger) => ledger is Sent or DryRun or Dead;

    /// <summary>Saves the job (a built payload, an attempt count) and sets its next due time.</summary>
    public async Task RescheduleAsync(DeliveryJob job, DateTimeOffset due, TimeSpan keep)
    {
        ArgumentNullException.ThrowIfNull(job);
        var db = Db;
        await db.StringSetAsync(keys.DeliveryJob(job.Id), job.ToJson(), keep);
        await db.SortedSetAddAsync(keys.DeliverySchedule, job.Id, due.ToUnixTimeMilliseconds());
    }

    /// <summary>Records the final state in the ledger; from here on the delivery is never sent again.</summary>
    public Task MarkFinishedAsync(string deliveryId, string state, TimeSpan retention) =>
        Db.StringSetAsync(keys.DeliveryLedger(deliveryId), state, retention);

    /// <summary>Removes a finished job from the schedule.</summary>
    public async Task RemoveAsync(string deliveryId)
    {
        var db = Db;
        await db.SortedSetRemoveAsync(keys.DeliverySchedule, deliveryId);
        await db.KeyDeleteAsync(keys.DeliveryJob(deliveryId));
    }

    /// <summary>Jobs in the schedule (first attempts, late-join waits and retries).</summary>
    public Task<long> BacklogAsync() => Db.SortedSetLengthAsync(keys.DeliverySchedule);
}
