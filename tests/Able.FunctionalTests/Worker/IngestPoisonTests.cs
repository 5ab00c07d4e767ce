using Able.Attribution.Delivery;
using Able.Attribution.Ingest;
using Able.Attribution.Receipts;
using Able.Attribution.Visitors;
using Able.Schema.Redis;
using Able.Schema.Visitors;

namespace Able.FunctionalTests.Worker;

/// <summary>
/// The poison cap (<c>Able:Worker:MaxIngestAttempts</c>): an ingest entry that fails at every delivery is moved to
/// the dead-letter stream after that many deliveries, acknowledged and counted, and never blocks the entries after it.
/// </summary>
public sealed class IngestPoisonTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_entry_failing_at_every_delivery_is_dead_lettered_with_its_fields_after_the_cap_acknowledged_and_counted()
    {
        await using var scenario = await WorkerScenario.CreateAsync(WorkerDeliveryTests.BookedAt);
        scenario.Worker("MaxIngestAttempts", 3);
        // A real, deterministic failure: the carried visitor's key holds a string, not a hash (WRONGTYPE at every read).
        var broken = VisitorId.New();
        await scenario.Db.StringSetAsync(scenario.Keys.Visitor(broken), "not a visitor hash");
        var poisonId = await scenario.AddAsync("calendly", "invitee.created", Fixtures.Read("calendly/invitee-created-free.json", broken));
        var poison = (await scenario.Db.StreamRangeAsync(scenario.Keys.IngestStream, poisonId, poisonId)).Single();
        const string after = "00000000-0000-4000-8000-000000000001";
        await scenario.AddAsync("calendly", "invitee.created", WorkerDeliveryTests.Untracked(after, "after@example.com"));
        await using var worker = await scenario.StartWorkerAsync();

        // The entry after the poison is processed straight away.
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(scenario.TikTok.AcceptedCount($"schedule:{after}") == 1), Within));

        Assert.True(await Eventually.TrueAsync(async () => (await worker.DeadLetters.ReadAsync()).Count == 1, Within));
        var deadLetter = Assert.Single(await worker.DeadLetters.ReadAsync());
        Assert.Equal(DeadLetters.IngestKind, deadLetter.Kind);
        Assert.Equal(poisonId.ToString(), deadLetter.EntryId);
        Assert.Equal("acme", deadLetter.Mark);
        Assert.Equal(3, deadLetter.Deliveries);
        Assert.Equal("StackExchange.Redis.RedisServerException", deadLetter.ErrorType);
        Assert.StartsWith("WRONGTYPE", deadLetter.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("RedisServerException", deadLetter.Reason, StringComparison.Ordinal);
        // Replayable: the original fields, byte for byte.
        Assert.Equal(poison.Values.Select(v => (v.Name.ToString(), ((byte[])v.Value!).ToArray())), deadLetter.EntryFields.Select(v => (v.Name.ToString(), ((byte[])v.Value!).ToArray())));
        Assert.Equal(IngestEntry.Sources.Calendly, deadLetter.EntryFields.Single(f => f.Name == IngestEntry.Source).Value.ToString());

        Assert.Equal(0, (await scenario.Db.StreamPendingAsync(scenario.Keys.IngestStream, RedisKeys.WorkerGroup)).PendingMessageCount);
        Assert.Contains("able_ingest_poison_total{funnel=\"acme\"} 1", await worker.MetricsTextAsync(), StringComparison.Ordinal);
        Assert.Null(await worker.Receipts.GetAsync("acme", WorkerDeliveryTests.FreeScheduleId));

        // And the worker goes on with what comes next.
        const string later = "00000000-0000-4000-8000-000000000002";
        await scenario.AddAsync("calendly", "invitee.created", WorkerDeliveryTests.Untracked(later, "later@example.com"));
        Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", $"schedule:{later}"))?.Status == ReceiptStatus.Sent, Within));
        await Task.Delay(500);
        Assert.Single(await worker.DeadLetters.ReadAsync());
        Assert.Contains("able_ingest_poison_total{funnel=\"acme\"} 1", await worker.MetricsTextAsync(), StringComparison.Ordinal);

        // The cause fixed, the dead letter replayed: the poison had reserved its delivery before it failed (the visitor
        // is read after the reservation), and the replay reserves as that entry, so it is sent, not refused as a duplicate.
        await scenario.Db.KeyDeleteAsync(scenario.Keys.Visitor(broken));
        var replayId = await worker.DeadLetters.ReplayAsync(deadLetter);
        var replayed = (await scenario.Db.StreamRangeAsync(scenario.Keys.IngestStream, replayId, replayId)).Single();
        Assert.Equal(poisonId.ToString(), replayed[IngestEntry.ReplayOf].ToString());
        Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", WorkerDeliveryTests.FreeScheduleId))?.Status == ReceiptStatus.Sent, Within));
        Assert.Equal(1, scenario.TikTok.AcceptedCount(WorkerDeliveryTests.FreeScheduleId));

        // Replayed again, it is the duplicate of a sent delivery: nothing more is sent.
        await worker.DeadLetters.ReplayAsync(deadLetter);
        Assert.True(await Eventually.TrueAsync(async () => (await scenario.Db.StreamPendingAsync(scenario.Keys.IngestStream, RedisKeys.WorkerGroup)).PendingMessageCount == 0
            && (await scenario.Db.StreamInfoAsync(scenario.Keys.IngestStream)).LastGeneratedId == (await scenario.Db.StreamGroupInfoAsync(scenario.Keys.IngestStream)).Single().LastDeliveredId, Within));
        await Task.Delay(500);
        Assert.Equal(1, scenario.TikTok.AcceptedCount(WorkerDeliveryTests.FreeScheduleId));
    }
}
