using Able.Schema.Redis;
using StackExchange.Redis;

namespace Able.Attribution.Receipts;

/// <summary>Match receipts in Redis: one JSON value per conversion plus a per-funnel index, both with the funnel's retention.</summary>
public sealed class ReceiptStore(IConnectionMultiplexer redis, RedisKeys keys)
{
    public async Task SaveAsync(MatchReceipt receipt, TimeSpan retention)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        var db = redis.GetDatabase();
        var index = keys.ReceiptIndex(receipt.Mark);
        await Task.WhenAll(
            db.StringSetAsync(keys.Receipt(receipt.Mark, receipt.Id), receipt.ToJson(), retention),
            db.SortedSetAddAsync(index, receipt.Id, receipt.UpdatedAt),
            db.KeyExpireAsync(index, retention),
            db.SortedSetRemoveRangeByScoreAsync(index, double.NegativeInfinity, receipt.UpdatedAt - retention.TotalMilliseconds));
    }

    /// <summary>
    /// <see cref="SaveAsync"/> for several receipts of one funnel (one <see cref="MatchReceipt.Mark"/>), pipelined: each
    /// receipt's value, then one ZADD of all their ids to the funnel's index, its expiry and its trim (from the newest
    /// update, which removes what the receipts' own trims would have removed).
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
        var writes = new List<Task>(funnelReceipts.Count + 3);
        writes.AddRange(funnelReceipts.Select(r => db.StringSetAsync(keys.Receipt(mark, r.Id), r.ToJson(), retention)));
        writes.Add(db.SortedSetAddAsync(index, [.. funnelReceipts.Select(r => new SortedSetEntry(r.Id, r.UpdatedAt))]));
        writes.Add(db.KeyExpireAsync(index, retention));
        writes.Add(db.SortedSetRemoveRangeByScoreAsync(index, double.NegativeInfinity, funnelReceipts.Max(r => r.UpdatedAt) - retention.TotalMilliseconds));
        await Task.WhenAll(writes);
    }

    public async Task<MatchReceipt?> GetAsync(string mark, string receiptId) =>
        MatchReceipt.FromJson(await redis.GetDatabase().StringGetAsync(keys.Receipt(mark, receiptId)));

    /// <summary>The newest receipts of a funnel, newest first.</summary>
    public async Task<IReadOnlyList<MatchReceipt>> ListAsync(string mark, int count)
    {
        var db = redis.GetDatabase();
        var ids = await db.SortedSetRangeByRankAsync(keys.ReceiptIndex(mark), 0, count - 1, Order.Descending);
        if (ids.Length == 0)
        {
            return [];
        }

        var values = await db.StringGetAsync([.. ids.Select(id => keys.Receipt(mark, id.ToString()))]);
        return [.. values.Select(v => MatchReceipt.FromJson(v)).OfType<MatchReceipt>()];
    }
}
