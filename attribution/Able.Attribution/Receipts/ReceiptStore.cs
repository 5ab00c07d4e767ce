using System.Text.Json;
using System.Text.Json.Nodes;
using Able.Schema.Redis;
using StackExchange.Redis;

namespace Able.Attribution.Receipts;

/// <summary>
/// Match receipts in Redis: one JSON value per conversion plus a per-funnel index, both with the funnel's retention, and
/// the person indexes the journey and erasure read: the visitor's receipts (<see cref="RedisKeys.VisitorReceipts"/>) when
/// the receipt names a visitor, and the receipts of each email and phone hash its sent event carries
/// (<see cref="RedisKeys.EmailReceipts"/>, <see cref="RedisKeys.PhoneReceipts"/>). Every write is queued at once: one
/// pipelined round trip, however many indexes.
/// </summary>
public sealed class ReceiptStore(IConnectionMultiplexer redis, RedisKeys keys)
{
    public async Task SaveAsync(MatchReceipt receipt, TimeSpan retention)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        var db = redis.GetDatabase();
        var index = keys.ReceiptIndex(receipt.Mark);
        var writes = new List<Task>(8)
        {
            db.StringSetAsync(keys.Receipt(receipt.Mark, receipt.Id), OwnJson(receipt), retention),
            db.SortedSetAddAsync(index, receipt.Id, receipt.UpdatedAt),
            db.KeyExpireAsync(index, retention),
            db.SortedSetRemoveRangeByScoreAsync(index, double.NegativeInfinity, receipt.UpdatedAt - retention.TotalMilliseconds),
        };
        AddPersonIndexWrites(db, receipt, retention, writes);
        await Task.WhenAll(writes);
    }

    /// <summary>
    /// <see cref="SaveAsync"/> for several receipts of one funnel (one <see cref="MatchReceipt.Mark"/>), pipelined: each
    /// receipt's value and person indexes, then one ZADD of all their ids to the funnel's index, its expiry and its trim
    /// (from the newest update, which removes what the receipts' own trims would have removed).
    /// </summary>
    public async Task SaveAsync(IReadOnlyList<MatchReceipt> funnelReceipts, TimeSpan retention)
    {
        ArgumentNullException.ThrowIfNull(funnelReceipts);
        if (funnelReceipts.Count == 0)
        {
            return;
        }

        var mark = funnelReceipts[0].Mark;
        if (funnelReceipts.Any(r => !string.Equals(r.Mark, mark, StringComparison.Ordinal)))
        {
            throw new ArgumentException("The receipts must all be of one funnel.", nameof(funnelReceipts));
        }

        var db = redis.GetDatabase();
        var index = keys.ReceiptIndex(mark);
        var writes = new List<Task>((funnelReceipts.Count * 4) + 3);
        foreach (var receipt in funnelReceipts)
        {
            writes.Add(db.StringSetAsync(keys.Receipt(mark, receipt.Id), OwnJson(receipt), retention));
            AddPersonIndexWrites(db, receipt, retention, writes);
        }

        writes.Add(db.SortedSetAddAsync(index, [.. funnelReceipts.Select(r => new SortedSetEntry(r.Id, r.UpdatedAt))]));
        writes.Add(db.KeyExpireAsync(index, retention));
        writes.Add(db.SortedSetRemoveRangeByScoreAsync(index, double.NegativeInfinity, funnelReceipts.Max(r => r.UpdatedAt) - retention.TotalMilliseconds));
        await Task.WhenAll(writes);
    }

    /// <summary>A receipt with its GA4 outcome; null when there is none (or its text is not a receipt).</summary>
    public async Task<MatchReceipt?> GetAsync(string mark, string receiptId) =>
        (await ReadAsync(redis.GetDatabase(), [(mark, receiptId)]))[0];

    /// <summary>
    /// Receipts with their GA4 outcomes (<see cref="MatchReceipt.Ga4"/>), in the order asked; null for each that is missing
    /// or not a receipt. Every read is queued at once: one pipelined round trip.
    /// </summary>
    public async Task<MatchReceipt?[]> ReadAsync(IDatabaseAsync db, IReadOnlyList<(string Mark, string Id)> receipts)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(receipts);
        var own = receipts.Select(r => db.StringGetAsync(keys.Receipt(r.Mark, r.Id))).ToArray();
        var ga4 = receipts.Select(r => db.StringGetAsync(keys.Ga4Receipt(r.Mark, r.Id))).ToArray();
        await Task.WhenAll(own.Concat(ga4));
        var read = new MatchReceipt?[receipts.Count];
        for (var i = 0; i < read.Length; i++)
        {
            read[i] = TryRead(own[i].Result) is { } receipt
                ? receipt with { Ga4 = Ga4.Ga4Outcome.TryRead(ga4[i].Result) }
                : null;
        }

        return read;
    }

    /// <summary>
    /// Stores the GA4 outcome of receipt <paramref name="receiptId"/> of funnel <paramref name="mark"/> for
    /// <paramref name="retention"/>; its receipt's own value is not touched.
    /// </summary>
    public Task SaveGa4Async(string mark, string receiptId, Ga4.Ga4Outcome outcome, TimeSpan retention)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return redis.GetDatabase().StringSetAsync(keys.Ga4Receipt(mark, receiptId), outcome.ToJson(), retention);
    }

    /// <summary>The newest receipts of a funnel, newest first.</summary>
    public async Task<IReadOnlyList<MatchReceipt>> ListAsync(string mark, int count)
    {
        var db = redis.GetDatabase();
        var ids = await db.SortedSetRangeByRankAsync(keys.ReceiptIndex(mark), 0, count - 1, Order.Descending);
        if (ids.Length == 0)
        {
            return [];
        }

        return [.. (await ReadAsync(db, [.. ids.Select(id => (mark, id.ToString()))])).OfType<MatchReceipt>()];
    }

    /// <summary>The member naming a receipt in the person indexes: <c>&lt;mark&gt;:&lt;receipt id&gt;</c> (a mark has no ':').</summary>
    public static string PersonIndexMember(string mark, string receiptId) => $"{mark}:{receiptId}";

    /// <summary>Reads a <see cref="PersonIndexMember"/>; false for anything else.</summary>
    public static bool TryReadPersonIndexMember(string? member, out string mark, out string receiptId)
    {
        var colon = member?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        mark = colon > 0 ? member![..colon] : "";
        receiptId = colon > 0 ? member![(colon + 1)..] : "";
        return colon > 0 && receiptId.Length > 0;
    }

    /// <summary>A stored receipt, or null when the text is missing or not a receipt (never throws on stored text).</summary>
    public static MatchReceipt? TryRead(RedisValue json)
    {
        try
        {
            return MatchReceipt.FromJson(json);
        }
        catch (Exception error) when (error is JsonException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The email and phone hashes of the event a receipt holds (its payload's <c>user.email</c> and <c>user.phone</c>).</summary>
    public static (IReadOnlyList<string> Emails, IReadOnlyList<string> Phones) ContactHashes(MatchReceipt receipt)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        return (Hashes(receipt.Payload, "email"), Hashes(receipt.Payload, "phone"));
    }

    private static string[] Hashes(JsonObject? payload, string key) =>
        payload?["user"] is JsonObject user && user[key] is JsonArray hashes
            ? [.. hashes.Select(h => h is JsonValue value && value.TryGetValue<string>(out var text) ? text : null).OfType<string>()
                .Where(Able.Schema.Identity.ContactHashing.IsSha256Hex)]
            : [];

    /// <summary>The receipt's own value: without its GA4 outcome, which is stored apart.</summary>
    private static string OwnJson(MatchReceipt receipt) => (receipt.Ga4 is null ? receipt : receipt with { Ga4 = null }).ToJson();

    private void AddPersonIndexWrites(IDatabaseAsync db, MatchReceipt receipt, TimeSpan retention, List<Task> writes)
    {
        var member = PersonIndexMember(receipt.Mark, receipt.Id);
        void Index(RedisKey key)
        {
            writes.Add(db.SortedSetAddAsync(key, member, receipt.UpdatedAt));
            writes.Add(db.KeyExpireAsync(key, retention));
        }

        if (receipt.VisitorId is { Length: > 0 } visitorId)
        {
            Index(keys.VisitorReceipts(visitorId));
        }

        var (emails, phones) = ContactHashes(receipt);
        foreach (var email in emails)
        {
            Index(keys.EmailReceipts(email));
        }

        foreach (var phone in phones)
        {
            Index(keys.PhoneReceipts(phone));
        }
    }
}
