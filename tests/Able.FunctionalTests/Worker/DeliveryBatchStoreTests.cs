using Able.Attribution.Delivery;
using Able.Attribution.Receipts;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Able.FunctionalTests.Worker;

/// <summary>
/// The batched forms of the delivery store's writes (a claim's lease, finishing and removing many jobs, saving many
/// receipts) leave Redis as the one-job forms would, also past the scripts' page of 500 members.
/// </summary>
public sealed class DeliveryBatchStoreTests
{
    private const int Count = 1203;

    [Fact]
    public async Task A_claim_leases_every_due_member_and_leaves_the_rest()
    {
        await using var scenario = await WorkerScenario.CreateAsync(WorkerDeliveryTests.BookedAt);
        scenario.Worker("Enabled", false);
        await using var idle = await scenario.StartWorkerAsync();
        var store = idle.Services.GetRequiredService<DeliveryStore>();
        var now = scenario.Time.GetUtcNow();
        var schedule = scenario.Keys.DeliverySchedule;
        await scenario.Db.SortedSetAddAsync(schedule, [.. Ids("due").Select(id => new SortedSetEntry(id, now.AddSeconds(-1).ToUnixTimeMilliseconds()))]);
        await scenario.Db.SortedSetAddAsync(schedule, "later", now.AddMinutes(5).ToUnixTimeMilliseconds());

        var leaseEnd = now.AddMinutes(1);
        var claimed = await store.ClaimDueAsync(now, leaseEnd, Count);

        Assert.Equal(Ids("due").Order(StringComparer.Ordinal), claimed.Order(StringComparer.Ordinal));
        var leased = await scenario.Db.SortedSetRangeByScoreWithScoresAsync(schedule);
        Assert.Equal(Count + 1, leased.Length);
        Assert.All(leased.Where(e => e.Element != "later"), e => Assert.Equal(leaseEnd.ToUnixTimeMilliseconds(), e.Score));
        Assert.Equal(now.AddMinutes(5).ToUnixTimeMilliseconds(), leased.Single(e => e.Element == "later").Score);
        Assert.Empty(await store.ClaimDueAsync(now, leaseEnd, Count));
    }

    [Fact]
    public async Task Finishing_and_removing_many_jobs_writes_each_ledger_entry_and_its_expiry_and_removes_each_job()
    {
        await using var scenario = await WorkerScenario.CreateAsync(WorkerDeliveryTests.BookedAt);
        scenario.Worker("Enabled", false);
        await using var idle = await scenario.StartWorkerAsync();
        var store = idle.Services.GetRequiredService<DeliveryStore>();
        var now = scenario.Time.GetUtcNow();
        var ids = Ids("job");
        foreach (var id in ids)
        {
            await scenario.Db.StringSetAsync(scenario.Keys.DeliveryJob(id), "{}");
        }

        await scenario.Db.SortedSetAddAsync(scenario.Keys.DeliverySchedule, [.. ids.Select(id => new SortedSetEntry(id, 1)), new SortedSetEntry("other", 1)]);
        await scenario.Db.StringSetAsync(scenario.Keys.DeliveryJob("other"), "{}");

        // Two retentions in one call: each entry expires by its own.
        await store.MarkFinishedAsync([.. ids.Select((id, i) => (id, TimeSpan.FromDays(i % 2 == 0 ? 1 : 3)))], DeliveryStore.Sent);
        await store.RemoveAsync(ids);

        for (var i = 0; i < ids.Length; i++)
        {
            Assert.Equal(DeliveryStore.Sent, await store.LedgerAsync(ids[i]));
            var expiresAt = await scenario.Db.SortedSetScoreAsync(scenario.Keys.DeliveryLedgerExpiry, ids[i]);
            var expected = (now + TimeSpan.FromDays(i % 2 == 0 ? 1 : 3)).ToUnixTimeMilliseconds();
            Assert.InRange(expiresAt!.Value, expected, expected + 60_000);
            Assert.False(await scenario.Db.KeyExistsAsync(scenario.Keys.DeliveryJob(ids[i])));
        }

        Assert.Equal(["other"], (await scenario.Db.SortedSetRangeByRankAsync(scenario.Keys.DeliverySchedule)).Select(m => (string?)m));
        Assert.True(await scenario.Db.KeyExistsAsync(scenario.Keys.DeliveryJob("other")));
        Assert.Equal(0, await store.RemoveExpiredLedgerEntriesAsync(now));
        Assert.Equal(Count, await store.RemoveExpiredLedgerEntriesAsync(now.AddDays(4), maxBatches: 10));
    }

    [Fact]
    public async Task Saving_many_receipts_of_a_funnel_stores_each_and_indexes_each_by_its_update()
    {
        await using var scenario = await WorkerScenario.CreateAsync(WorkerDeliveryTests.BookedAt);
        scenario.Worker("Enabled", false);
        await using var idle = await scenario.StartWorkerAsync();
        var receipts = idle.Services.GetRequiredService<ReceiptStore>();
        var retention = TimeSpan.FromDays(2);
        var now = scenario.Time.GetUtcNow().ToUnixTimeMilliseconds();
        var index = scenario.Keys.ReceiptIndex("acme");
        await scenario.Db.SortedSetAddAsync(index, "expired", now - retention.TotalMilliseconds - 1);
        MatchReceipt[] saved = [.. Ids("receipt").Select((id, i) => new MatchReceipt
        {
            Id = id, Mark = "acme", Source = "calendly", SourceEvent = "invitee.created", Status = ReceiptStatus.Sent, UpdatedAt = now + i,
        })];

        await receipts.SaveAsync(saved, retention);

        foreach (var receipt in saved)
        {
            Assert.Equal(receipt.Id, (await receipts.GetAsync("acme", receipt.Id))?.Id);
            Assert.Equal(receipt.UpdatedAt, await scenario.Db.SortedSetScoreAsync(index, receipt.Id));
        }

        Assert.Null(await scenario.Db.SortedSetScoreAsync(index, "expired"));
        Assert.InRange((await scenario.Db.KeyTimeToLiveAsync(index))!.Value, retention - TimeSpan.FromMinutes(1), retention);
        Assert.InRange((await scenario.Db.KeyTimeToLiveAsync(scenario.Keys.Receipt("acme", saved[0].Id)))!.Value, retention - TimeSpan.FromMinutes(1), retention);
        await Assert.ThrowsAsync<ArgumentException>(() => receipts.SaveAsync([saved[0], saved[1] with { Mark = "other" }], retention));
    }

    private static string[] Ids(string prefix) => [.. Enumerable.Range(0, Count).Select(i => $"{prefix}-{i:D4}")];
}
