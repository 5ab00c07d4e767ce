using System.Globalization;
using Able.Attribution.Receipts;
using Able.Schema.Configuration;
using Able.Schema.Redis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Able.Attribution.Delivery;

public enum ReplayResult
{
    /// <summary>Queued for delivery again (the dead letter is gone; its receipt will show the outcome).</summary>
    Queued,

    /// <summary>No such dead letter (never was, discarded, or already replayed).</summary>
    NotFound,

    /// <summary>The entry holds nothing that can be sent again (an unreadable job).</summary>
    NotReplayable,
}

public sealed record ReplayOutcome(string DeadLetterId, ReplayResult Result, string? Detail);

/// <summary>A page of the dead-letter stream, oldest first; <see cref="Problem"/> set (and no items) when the cursor is not valid.</summary>
public sealed record DeadLetterPage(IReadOnlyList<DeadLetter> Items, string? NextCursor)
{
    public string? Problem { get; init; }
}

/// <summary>
/// The admin side of the dead-letter stream: list, replay (at most once each), discard.
/// <para>
/// A replay is one Lua script that removes the dead letter and, only when it was still there, puts its work back: a
/// delivery's ledger entry is deleted and its job queued again (attempts reset, a fresh first attempt, due now) with its
/// receipt back to queued; a poison ingest entry is added to the ingest stream again. In one script, a crash can neither
/// lose the letter (removed but not queued) nor queue it twice (queued but not removed), and of two replays of one
/// letter (a double click, two replicas) exactly one finds it: the other answers <see cref="ReplayResult.NotFound"/> and
/// sends nothing. Like <see cref="DeliveryStore"/>'s scripts it touches keys of more than one slot (the dead-letter
/// stream, the ledger, the schedule, the job, the receipt), so it needs a single Redis node, as the delivery store does.
/// </para>
/// </summary>
public sealed partial class DeadLetterReplay(
    IConnectionMultiplexer redis,
    RedisKeys keys,
    TimeProvider time,
    IOptionsMonitor<AbleOptions> options,
    ILogger<DeadLetterReplay> logger)
{
    public const int MaxLimit = 500;

    /// <summary>Dead letters read per list call at most when a funnel filter skips most of them.</summary>
    public const int MaxScannedPerPage = 5000;

    public const string InvalidCursor = "cursor is not valid";

    // KEYS: dead-letter stream, ledger, ledger expiry index, job, schedule, receipt (or its GA4 side), funnel receipt index.
    // ARGV: dead letter id, delivery id, job JSON, due (ms), receipt JSON, receipt score, retention (ms), receipt id.
    private const string ReplayDeliveryScript = """
        if redis.call('XDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
        redis.call('DEL', KEYS[2])
        redis.call('ZREM', KEYS[3], ARGV[2])
        redis.call('SET', KEYS[6], ARGV[5], 'PX', ARGV[7])
        redis.call('ZADD', KEYS[7], ARGV[6], ARGV[8])
        redis.call('SET', KEYS[4], ARGV[3])
        redis.call('ZADD', KEYS[5], ARGV[4], ARGV[2])
        return 1
        """;

    // KEYS: dead-letter stream, ingest stream. ARGV: dead letter id, then the entry's field/value pairs.
    private const string ReplayIngestScript = """
        if redis.call('XDEL', KEYS[1], ARGV[1]) == 0 then return false end
        return redis.call('XADD', KEYS[2], '*', unpack(ARGV, 2))
        """;

    /// <summary>
    /// Up to <paramref name="limit"/> dead letters after <paramref name="cursor"/> (an id this returned; exclusive), oldest
    /// first, of one funnel when <paramref name="mark"/> is set. Reads at most <see cref="MaxScannedPerPage"/> entries.
    /// </summary>
    public async Task<DeadLetterPage> ListAsync(string? mark, int limit, string? cursor)
    {
        if (cursor is not null && !IsStreamId(cursor))
        {
            return new DeadLetterPage([], null) { Problem = InvalidCursor };
        }

        if (cursor is not null && IsLastPossibleId(cursor))
        {
            return new DeadLetterPage([], null);
        }

        limit = Math.Clamp(limit, 1, MaxLimit);
        var db = redis.GetDatabase();
        var items = new List<DeadLetter>(limit);
        var after = cursor;
        var scanned = 0;
        while (items.Count < limit && scanned < MaxScannedPerPage)
        {
            var chunk = mark is null ? limit - items.Count : Math.Min(500, MaxScannedPerPage - scanned);
            var entries = await db.StreamRangeAsync(keys.DeadLetterStream, after is null ? "-" : "(" + after, "+", chunk);
            scanned += entries.Length;
            foreach (var entry in entries)
            {
                after = entry.Id.ToString();
                var letter = DeadLetters.FromEntry(entry);
                if (mark is null || string.Equals(letter.Mark, mark, StringComparison.Ordinal))
                {
                    items.Add(letter);
                    if (items.Count == limit)
                    {
                        break;
                    }
                }
            }

            // The stream's end was reached before the page filled: nothing follows. (A page filled by a funnel's letter
            // within a short read may still have more of that funnel after it: the check below says.)
            if (items.Count < limit && entries.Length < chunk)
            {
                return new DeadLetterPage(items, null);
            }
        }

        // More may follow: the next page starts after the last entry looked at (unless that is the stream's last).
        var more = after is not null && (await db.StreamRangeAsync(keys.DeadLetterStream, "(" + after, "+", 1)).Length > 0;
        return new DeadLetterPage(items, more ? after : null);
    }

    public async Task<DeadLetter?> GetAsync(string deadLetterId)
    {
        if (!IsStreamId(deadLetterId))
        {
            return null;
        }

        var entries = await redis.GetDatabase().StreamRangeAsync(keys.DeadLetterStream, deadLetterId, deadLetterId, 1);
        return entries.Length == 1 && !entries[0].IsNull && entries[0].Values.Length > 0 ? DeadLetters.FromEntry(entries[0]) : null;
    }

    public async Task<ReplayOutcome> ReplayAsync(string deadLetterId)
    {
        var letter = await GetAsync(deadLetterId);
        var outcome = letter is null
            ? new ReplayOutcome(deadLetterId, ReplayResult.NotFound, "no such dead letter")
            : letter.Kind == DeadLetters.IngestKind ? await ReplayIngestAsync(letter) : await ReplayDeliveryAsync(letter);
        LogReplay(logger, deadLetterId, outcome.Result, outcome.Detail ?? "");
        return outcome;
    }

    /// <summary>Replays every dead letter (of one funnel when <paramref name="mark"/> is set).</summary>
    public async Task<IReadOnlyList<ReplayOutcome>> ReplayAllAsync(string? mark)
    {
        var db = redis.GetDatabase();
        // Only what is there now: a replay that fails again adds a new dead letter, which this does not take up again.
        var last = await db.StreamRangeAsync(keys.DeadLetterStream, "-", "+", 1, Order.Descending);
        if (last.Length == 0)
        {
            return [];
        }

        var end = last[0].Id.ToString();
        var outcomes = new List<ReplayOutcome>();
        string? after = null;
        while (true)
        {
            var entries = await db.StreamRangeAsync(keys.DeadLetterStream, after is null ? "-" : "(" + after, end, 200);
            foreach (var entry in entries)
            {
                after = entry.Id.ToString();
                var letter = DeadLetters.FromEntry(entry);
                if (mark is null || string.Equals(letter.Mark, mark, StringComparison.Ordinal))
                {
                    outcomes.Add(await ReplayAsync(letter.Id));
                }
            }

            if (entries.Length < 200)
            {
                return outcomes;
            }
        }
    }

    /// <summary>Deletes the dead letter; false when there was none.</summary>
    public async Task<bool> DiscardAsync(string deadLetterId) =>
        IsStreamId(deadLetterId) && await redis.GetDatabase().StreamDeleteAsync(keys.DeadLetterStream, [deadLetterId]) == 1;

    private async Task<ReplayOutcome> ReplayDeliveryAsync(DeadLetter letter)
    {
        if (letter.Job is null)
        {
            return new ReplayOutcome(letter.Id, ReplayResult.NotReplayable,
                letter.Reason.StartsWith("the stored job cannot be read", StringComparison.Ordinal)
                    ? letter.Reason
                    : "the dead letter does not hold its delivery job (written before replay existed)");
        }

        if (!DeliveryJob.TryFromJson(letter.Job, out var job, out var problem) || job is null)
        {
            return new ReplayOutcome(letter.Id, ReplayResult.NotReplayable, $"the delivery job cannot be read: {problem ?? "empty"}");
        }

        var now = time.GetUtcNow();
        var retention = TimeSpan.FromDays(options.CurrentValue.FindFunnel(job.Receipt.Mark)?.RetentionDays ?? 90);
        var receipt = job.Receipt with
        {
            Status = ReceiptStatus.Queued,
            Reason = "replayed from the dead-letter stream",
            Attempts = 0,
            TikTokCode = null,
            TikTokMessage = null,
            TikTokRequestId = null,
            UpdatedAt = now.ToUnixTimeMilliseconds(),
        };
        var queued = job with { Attempts = 0, FirstAttemptAt = now.ToUnixTimeMilliseconds(), Receipt = receipt };
        // A GA4 delivery puts back the receipt's GA4 side (queued again) and leaves its TikTok side as it is.
        var (outcomeKey, outcomeJson) = (keys.Receipt(receipt.Mark, receipt.Id), receipt.ToJson());
        if (job.Ga4 is { } ga4)
        {
            var outcome = ga4 with { Status = Ga4.Ga4Status.Queued, Reason = "replayed from the dead-letter stream", Attempts = 0, HttpStatus = null, UpdatedAt = now.ToUnixTimeMilliseconds() };
            queued = job with { Attempts = 0, FirstAttemptAt = now.ToUnixTimeMilliseconds(), Ga4 = outcome };
            (outcomeKey, outcomeJson) = (keys.Ga4Receipt(receipt.Mark, receipt.Id), outcome.ToJson());
        }

        var replayed = await redis.GetDatabase().ScriptEvaluateAsync(ReplayDeliveryScript,
            [
                keys.DeadLetterStream, keys.DeliveryLedger(job.Id), keys.DeliveryLedgerExpiry, keys.DeliveryJob(job.Id), keys.DeliverySchedule,
                outcomeKey, keys.ReceiptIndex(receipt.Mark),
            ],
            [letter.Id, job.Id, queued.ToJson(), now.ToUnixTimeMilliseconds(), outcomeJson, receipt.UpdatedAt, (long)retention.TotalMilliseconds, receipt.Id]);
        return (long)replayed == 1
            ? new ReplayOutcome(letter.Id, ReplayResult.Queued, $"delivery {job.Id} queued")
            : new ReplayOutcome(letter.Id, ReplayResult.NotFound, "already replayed or discarded");
    }

    private async Task<ReplayOutcome> ReplayIngestAsync(DeadLetter letter)
    {
        if (letter.EntryId is null || letter.EntryFields.Count == 0)
        {
            return new ReplayOutcome(letter.Id, ReplayResult.NotReplayable, "the dead letter holds no ingest entry fields");
        }

        var fields = DeadLetters.ReplayFields(letter);
        var arguments = new RedisValue[1 + (2 * fields.Count)];
        arguments[0] = letter.Id;
        for (var i = 0; i < fields.Count; i++)
        {
            arguments[1 + (2 * i)] = fields[i].Name;
            arguments[2 + (2 * i)] = fields[i].Value;
        }

        var added = await redis.GetDatabase().ScriptEvaluateAsync(ReplayIngestScript, [keys.DeadLetterStream, keys.IngestStream], arguments);
        return added.IsNull
            ? new ReplayOutcome(letter.Id, ReplayResult.NotFound, "already replayed or discarded")
            : new ReplayOutcome(letter.Id, ReplayResult.Queued, $"ingest entry {added} added");
    }

    /// <summary>
    /// Whether <paramref name="id"/> is a stream id (<c>ms-seq</c>, each part a 64-bit unsigned number, as Redis reads
    /// them): anything else is answered without asking Redis, which refuses it with an error.
    /// </summary>
    public static bool IsStreamId(string? id) => id is { Length: <= 41 } && TryParts(id, out _, out _);

    /// <summary>Whether nothing can follow <paramref name="id"/> (the largest stream id, after which Redis refuses to read).</summary>
    private static bool IsLastPossibleId(string id) => TryParts(id, out var ms, out var seq) && ms == ulong.MaxValue && seq == ulong.MaxValue;

    /// <summary>The two parts of <c>ms-seq</c>, digits only (no sign, no space), each within 64 bits.</summary>
    private static bool TryParts(string id, out ulong ms, out ulong seq)
    {
        var dash = id.IndexOf('-', StringComparison.Ordinal);
        seq = 0;
        return ulong.TryParse(id.AsSpan(0, Math.Max(dash, 0)), NumberStyles.None, CultureInfo.InvariantCulture, out ms)
            && ulong.TryParse(id.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out seq);
    }

    [LoggerMessage(EventId = EventIds.DeadLetterReplayed, Level = LogLevel.Information, Message = "Dead letter {DeadLetterId} replay: {Result} ({Detail}).")]
    private static partial void LogReplay(ILogger logger, string deadLetterId, ReplayResult result, string detail);
}
