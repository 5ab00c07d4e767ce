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
