using Able.Attribution.Delivery;
using Able.Attribution.Receipts;
using Microsoft.Extensions.DependencyInjection;

namespace Able.FunctionalTests.Worker;

/// <summary>
/// Ledger entries carry no TTL: they expire through their score in the ledger expiry index, removed by a bounded
/// cleanup that the delivery loop runs next to the stream trimming.
/// </summary>
public sealed class LedgerCleanupTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Expired_entries_go_in_bounded_batches_and_unexpired_finished_later_or_re_reserved_ones_stay()
    {
        await using var scenario = await WorkerScenario.CreateAsync(WorkerDeliveryTests.BookedAt);
        scenario.Worker("Enabled", false);
        await using var idle = await scenario.StartWorkerAsync();
        var store = idle.Services.GetRequiredService<DeliveryStore>();
        var index = scenario.Keys.DeliveryLedgerExpiry;
        var oneDay = TimeSpan.FromDays(1);
        var later = scenario.Time.GetUtcNow() + TimeSpan.FromDays(2);

        string[] expired = ["old-1", "old-2", "old-3", "old-4", "old-5"];
        foreach (var id in expired)
        {
            Assert.True(await store.ReserveAsync(id, "1-0", oneDay));
        }

        Assert.True(await store.ReserveAsync("unexpired", "1-0", TimeSpan.FromDays(3)));
        Assert.True(await store.ReserveAsync("finished-later", "1-0", oneDay));
        await store.MarkFinishedAsync("finished-later", DeliveryStore.Sent, TimeSpan.FromDays(3));

        // Two calls of two entries each at most; the fifth expired entry waits for the next pass.
        Assert.Equal(4, await store.RemoveExpiredLedgerEntriesAsync(later, batchSize: 2, maxBatches: 2));
        Assert.Equal(1, await CountExistingAsync(scenario, expired));
        Assert.Equal(1, await store.RemoveExpiredLedgerEntriesAsync(later, batchSize: 2, maxBatches: 2));
        Assert.Equal(0, await store.RemoveExpiredLedgerEntriesAsync(later));
        Assert.Equal(0, await CountExistingAsync(scenario, expired));
        Assert.Equal("queued:1-0", await store.LedgerAsync("unexpired"));
        Assert.Equal(DeliveryStore.Sent, await store.LedgerAsync("finished-later"));
        Assert.Equal(["finished-later", "unexpired"], (await scenario.Db.SortedSetRangeByRankAsync(index)).Select(m => (string?)m).Order());

        // An entry listed as expired but re-reserved (or finished) before the script runs is kept: the script re-checks the score.
        Assert.True(await store.ReserveAsync("racing", "1-0", oneDay));
        var listed = (await scenario.Db.SortedSetRangeByScoreAsync(index, double.NegativeInfinity, later.ToUnixTimeMilliseconds()))
            .Select(m => m.ToString()).ToList();
        Assert.Equal(["racing"], listed);
        await store.RemoveExpiredLedgerEntriesAsync(later); // the racing replica's cleanup removes it...
        Assert.True(await store.ReserveAsync("racing", "2-0", TimeSpan.FromDays(3))); // ...and a new entry reserves it again
        Assert.Equal(0, await store.RemoveLedgerEntriesIfExpiredAsync(listed, later)); // the stale listing deletes nothing
        Assert.Equal("queued:2-0", await store.LedgerAsync("racing"));
        Assert.False(await store.ReserveAsync("racing", "3-0", oneDay));
    }

    [Fact]
    public async Task The_running_worker_removes_a_sent_entry_once_the_funnel_retention_has_passed()
    {
        await using var scenario = await WorkerScenario.CreateAsync(WorkerDeliveryTests.BookedAt);
        scenario.Config.Funnel["RetentionDays"] = 2;
        await using var worker = await scenario.StartWorkerAsync();
        const string booking = "00000000-0000-4000-8000-0000000000aa";
        await scenario.AddAsync("calendly", "invitee.created", WorkerDeliveryTests.Untracked(booking, "kept@example.com"));
        Assert.True(await Eventually.TrueAsync(async () =>
            (await worker.Receipts.GetAsync("acme", "schedule:" + booking))?.Status == ReceiptStatus.Sent, Within));
        var ledger = scenario.Keys.DeliveryLedger($"CTESTPIXEL0000000000:Schedule:schedule:{booking}");
        Assert.Equal(DeliveryStore.Sent, (string?)await scenario.Db.StringGetAsync(ledger));

        // A day on, within the retention (and past the loop's next pass): the entry stays.
        scenario.Time.JumpTo(scenario.Time.GetUtcNow().AddDays(1));
        await Task.Delay(1000);
        Assert.True(await scenario.Db.KeyExistsAsync(ledger));

        scenario.Time.JumpTo(scenario.Time.GetUtcNow().AddDays(2));
        Assert.True(await Eventually.TrueAsync(async () => !await scenario.Db.KeyExistsAsync(ledger), Within));
        Assert.Equal(0, await scenario.Db.SortedSetLengthAsync(scenario.Keys.DeliveryLedgerExpiry));
    }

    private static async Task<int> CountExistingAsync(WorkerScenario scenario, string[] deliveryIds) =>
        (await Task.WhenAll(deliveryIds.Select(id => scenario.Db.KeyExistsAsync(scenario.Keys.DeliveryLedger(id))))).Count(exists => exists);
}
