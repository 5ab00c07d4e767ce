using Able.Attribution.Receipts;
using Able.Hosting.Configuration;
using Able.Schema.Configuration;
using Able.Schema.Redis;
using Microsoft.Extensions.Options;

namespace Able.FunctionalTests.Admin;

/// <summary>The conversions list over real Redis: receipts saved by the real store in two funnels, filtered and paged newest first.</summary>
public sealed class ReceiptQueryTests
{
    private static readonly TimeSpan Retention = TimeSpan.FromDays(90);
    private static readonly DateTimeOffset Start = DateTimeOffset.UtcNow.AddDays(-1);

    [Fact]
    public async Task Pages_of_every_funnel_merge_newest_first_with_a_cursor_and_list_each_receipt_once()
    {
        var (query, store) = await CreateAsync("acme", "beta");
        var saved = new List<MatchReceipt>();
        for (var i = 0; i < 23; i++)
        {
            // Some receipts of both funnels share an update time, and several of one funnel too (a batch save).
            var receipt = Receipt(i % 3 == 0 ? "beta" : "acme", $"schedule:{i:D3}", Start.AddSeconds(i / 2).ToUnixTimeMilliseconds(), i % 2 == 0);
            saved.Add(receipt);
        }

        foreach (var funnel in saved.GroupBy(r => r.Mark))
        {
            await store.SaveAsync([.. funnel], Retention);
        }

        var listed = new List<MatchReceipt>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var (page, problem) = await query.QueryAsync(new ReceiptFilter { Limit = 5, Cursor = cursor });
            Assert.Null(problem);
            Assert.True(page!.Items.Count <= 5);
            listed.AddRange(page.Items);
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null && pages < 20);

        Assert.Null(cursor);
        Assert.Equal(saved.Select(r => (r.Mark, r.Id)).Order(), listed.Select(r => (r.Mark, r.Id)).Order());
        Assert.Equal(listed.Select(r => r.UpdatedAt).OrderDescending(), listed.Select(r => r.UpdatedAt));
        Assert.Equal(5, pages);

        // One funnel only.
        var (beta, _) = await query.QueryAsync(new ReceiptFilter { Mark = "beta", Limit = 500 });
        Assert.Equal(saved.Count(r => r.Mark == "beta"), beta!.Items.Count);
        Assert.All(beta.Items, r => Assert.Equal("beta", r.Mark));
        Assert.Null(beta.NextCursor);
    }

    [Fact]
    public async Task Filters_by_event_matched_status_and_time_range_page_through_selective_filters()
    {
        var (query, store) = await CreateAsync("acme");
        var receipts = Enumerable.Range(0, 40).Select(i => Receipt("acme", $"r{i:D2}", Start.AddMinutes(i).ToUnixTimeMilliseconds(), matched: i % 4 == 0) with
        {
            TikTokEvent = i % 5 == 0 ? "Purchase" : "Schedule",
            Status = i % 2 == 0 ? ReceiptStatus.Sent : ReceiptStatus.DeadLettered,
        }).ToList();
        foreach (var receipt in receipts)
        {
            await store.SaveAsync(receipt, Retention);
        }

        async Task<List<MatchReceipt>> AllAsync(ReceiptFilter filter)
        {
            var all = new List<MatchReceipt>();
            string? cursor = null;
            do
            {
                var (page, problem) = await query.QueryAsync(filter with { Cursor = cursor });
                Assert.Null(problem);
                all.AddRange(page!.Items);
                cursor = page.NextCursor;
            }
            while (cursor is not null);
            return all;
        }

        Assert.Equal(receipts.Where(r => r.TikTokEvent == "Purchase").Select(r => r.Id).OrderDescending(),
            (await AllAsync(new ReceiptFilter { Event = "purchase", Limit = 3 })).Select(r => r.Id));
        Assert.Equal(receipts.Where(r => r.JoinPath is not null).Select(r => r.Id).OrderDescending(),
            (await AllAsync(new ReceiptFilter { Matched = true, Limit = 2 })).Select(r => r.Id));
        Assert.Equal(receipts.Where(r => r.JoinPath is null && r.Status == ReceiptStatus.DeadLettered).Select(r => r.Id).OrderDescending(),
            (await AllAsync(new ReceiptFilter { Matched = false, Status = ReceiptStatus.DeadLettered, Limit = 4 })).Select(r => r.Id));
        // From inclusive, To exclusive.
        Assert.Equal(Enumerable.Range(10, 10).Select(i => $"r{i:D2}").OrderDescending(),
            (await AllAsync(new ReceiptFilter { From = Start.AddMinutes(10), To = Start.AddMinutes(20), Limit = 3 })).Select(r => r.Id));
        Assert.Empty(await AllAsync(new ReceiptFilter { Status = "no-such-status" }));
        var (first, _) = await query.QueryAsync(new ReceiptFilter { Limit = 0 });
        Assert.Single(first!.Items);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("!!!")]
    [InlineData("cjE")]
    [InlineData("cjEKYWNtZSBzIHggeQ")]
    [InlineData("cjIKYWNtZSBuIDAgAA")]
    [InlineData("")]
    public async Task A_cursor_it_did_not_produce_is_a_problem_not_an_exception(string cursor)
    {
        var (query, _) = await CreateAsync("acme");
        var (page, problem) = await query.QueryAsync(new ReceiptFilter { Cursor = cursor });
        Assert.Null(page);
        Assert.Equal(ReceiptQuery.InvalidCursor, problem);
    }

    [Fact]
    public async Task An_unreadable_receipt_value_is_skipped_not_thrown()
    {
        var (query, store, keys) = await CreateWithKeysAsync("acme");
        await store.SaveAsync(Receipt("acme", "good", Start.ToUnixTimeMilliseconds(), true), Retention);
        await store.SaveAsync(Receipt("acme", "bad", Start.AddSeconds(1).ToUnixTimeMilliseconds(), true), Retention);
        var redis = await RedisTestServer.GetAsync();
        await redis.Multiplexer.GetDatabase().StringSetAsync(keys.Receipt("acme", "bad"), "{not json");
        var (page, _) = await query.QueryAsync(new ReceiptFilter());
        Assert.Equal("good", Assert.Single(page!.Items).Id);
    }

    private static async Task<(ReceiptQuery Query, ReceiptStore Store)> CreateAsync(params string[] marks)
    {
        var (query, store, _) = await CreateWithKeysAsync(marks);
        return (query, store);
    }

    private static async Task<(ReceiptQuery Query, ReceiptStore Store, RedisKeys Keys)> CreateWithKeysAsync(params string[] marks)
    {
        var redis = await RedisTestServer.GetAsync();
        var keys = new RedisKeys(RedisTestServer.NewKeyPrefix());
        var options = new FixedOptionsMonitor<AbleOptions>(new AbleOptions { Funnels = [.. marks.Select(m => new FunnelOptions { Mark = m })] });
        var store = new ReceiptStore(redis.Multiplexer, keys);
        return (new ReceiptQuery(redis.Multiplexer, keys, store, options), store, keys);
    }

    private static MatchReceipt Receipt(string mark, string id, long updatedAt, bool matched) => new()
    {
        Id = id,
        Mark = mark,
        Source = "calendly",
        SourceEvent = "invitee.created",
        Status = ReceiptStatus.Sent,
        TikTokEvent = "Schedule",
        EventId = id,
        JoinPath = matched ? "email" : null,
        UpdatedAt = updatedAt,
    };
}
