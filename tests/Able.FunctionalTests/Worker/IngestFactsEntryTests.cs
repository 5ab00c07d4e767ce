using System.Text;
using Able.Attribution.Delivery;
using Able.Attribution.Ingest;
using Able.Attribution.Receipts;
using Able.Schema.Redis;

namespace Able.FunctionalTests.Worker;

/// <summary>
/// Entries of the ingest stream across the change to facts (README, "Privacy: what is stored at rest"): an entry that
/// still holds a raw body is processed and then deleted; its poison dead letter keeps facts, not the body, and replays;
/// facts this worker cannot read are dead-lettered as they are, to be replayed by one that can.
/// </summary>
public sealed class IngestFactsEntryTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_entry_with_a_raw_body_is_processed_as_before_then_deleted_from_the_stream()
    {
        await using var scenario = await WorkerScenario.CreateAsync(WorkerDeliveryTests.BookedAt);
        const string invitee = "00000000-0000-4000-8000-00000000a001";
        var legacy = await WorkerTestData.AddLegacyIngestAsync(scenario.Db, scenario.Keys, "calendly", "acme", "invitee.created",
            Fixtures.Read("calendly/invitee-created-untracked.json").Replace("6c6c6c6c-6666-4666-8666-111111111111", invitee, StringComparison.Ordinal),
            scenario.Time.GetUtcNow());
        var current = await scenario.AddAsync("calendly", "invitee.created", WorkerDeliveryTests.Untracked("00000000-0000-4000-8000-00000000a002", "new@example.com"));
        await using var worker = await scenario.StartWorkerAsync();

        Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", $"schedule:{invitee}"))?.Status == ReceiptStatus.Sent, Within));
        var sent = scenario.TikTok.Accepted.Single(e => (string?)e["event_id"] == $"schedule:{invitee}");
        Assert.Equal(Attribution.Identity.PhoneHashing.HashPhone("+1 (213) 373-4253", "DE"), (string?)sent["user"]!["phone"]![0]);
        Assert.Equal(Able.Schema.Identity.ContactHashing.HashEmail("walk.in@example.net"), (string?)sent["user"]!["email"]![0]);

        // Acknowledged and gone: the raw body does not wait for the stream to be trimmed. An entry of facts stays until then.
        Assert.True(await Eventually.TrueAsync(async () => (await scenario.Db.StreamRangeAsync(scenario.Keys.IngestStream, legacy, legacy)).Length == 0, Within));
        Assert.True(await Eventually.TrueAsync(async () =>
            (await scenario.Db.StreamPendingAsync(scenario.Keys.IngestStream, RedisKeys.WorkerGroup)).PendingMessageCount == 0
            && (await scenario.Db.StreamGroupInfoAsync(scenario.Keys.IngestStream))[0].Lag == 0, Within));
        Assert.Single(await scenario.Db.StreamRangeAsync(scenario.Keys.IngestStream, current, current));
    }

    [Fact]
    public async Task A_poison_entry_with_a_raw_body_is_dead_lettered_as_facts_and_replays()
    {
        await using var scenario = await WorkerScenario.CreateAsync(WorkerDeliveryTests.BookedAt);
        scenario.Worker("MaxIngestAttempts", 2);
        // A deterministic failure: the funnel's receipt index holds a string, not a sorted set (WRONGTYPE at every save).
        var index = scenario.Keys.ReceiptIndex("acme");
        await scenario.Db.StringSetAsync(index, "not an index");
        var body = Fixtures.Read("calendly/invitee-canceled.json");
        var poisonId = await WorkerTestData.AddLegacyIngestAsync(scenario.Db, scenario.Keys, "calendly", "acme", "invitee.canceled", body, scenario.Time.GetUtcNow());
        await using (var worker = await scenario.StartWorkerAsync())
        {
            Assert.True(await Eventually.TrueAsync(async () => (await worker.DeadLetters.ReadAsync()).Count == 1, Within));
        }

        var deadLetter = Assert.Single(await new DeadLetters(scenario.Db.Multiplexer, scenario.Keys).ReadAsync());
        Assert.Equal(poisonId.ToString(), deadLetter.EntryId);
        Assert.Equal(["source", "funnel", "type", "received_at", "facts"], deadLetter.EntryFields.Select(f => f.Name.ToString()));
        Assert.Equal(IngestFacts.Parse("calendly", Encoding.UTF8.GetBytes(body), "DE").ToUtf8Json(), (byte[])deadLetter.EntryFields.Single(f => f.Name == IngestEntry.Facts).Value!);
        var stored = string.Join('\n', (await scenario.Db.StreamRangeAsync(scenario.Keys.DeadLetterStream)).Single().Values.Select(v => $"{v.Name}={v.Value}"));
        Assert.All(RawContactData.In(body), value => Assert.False(RawContactData.Holds(stored, value.Kind, value.Value), $"{value.Kind} '{value.Value}' in the dead letter"));
        Assert.Empty(await scenario.Db.StreamRangeAsync(scenario.Keys.IngestStream, poisonId, poisonId));

        // Replay once the cause is fixed: the dead letter's fields, added to the stream again, are processed.
        await scenario.Db.KeyDeleteAsync(index);
        await scenario.Db.StreamAddAsync(scenario.Keys.IngestStream, [.. deadLetter.EntryFields]);
        await using var again = await scenario.StartWorkerAsync();
        const string receiptId = "invitee.canceled:c3e9d0f2-71aa-4b8e-8e25-4a6f0b9d2c71";
        Assert.True(await Eventually.TrueAsync(async () => await scenario.Db.SortedSetScoreAsync(index, receiptId) is not null, Within));
        var receipt = await again.Receipts.GetAsync("acme", receiptId);
        Assert.Equal(ReceiptStatus.Recorded, receipt!.Status);
    }

    [Fact]
    public async Task Facts_this_worker_cannot_read_are_dead_lettered_as_they_are_and_the_next_entry_goes_on()
    {
        await using var scenario = await WorkerScenario.CreateAsync(WorkerDeliveryTests.BookedAt);
        scenario.Worker("MaxIngestAttempts", 2);
        var newer = """{"v":2,"calendly":{"source_type":"invitee.created","invitee_uuid":"x"}}"""u8.ToArray();
        var unreadable = await scenario.Db.StreamAddAsync(scenario.Keys.IngestStream,
        [
            new(IngestEntry.Source, IngestEntry.Sources.Calendly), new(IngestEntry.Mark, "acme"), new(IngestEntry.SourceEvent, "invitee.created"),
            new(IngestEntry.ReceivedAt, scenario.Time.GetUtcNow().ToUnixTimeMilliseconds()), new(IngestEntry.Facts, newer),
        ]);
        const string after = "00000000-0000-4000-8000-00000000a003";
        await scenario.AddAsync("calendly", "invitee.created", WorkerDeliveryTests.Untracked(after, "after@example.com"));
        await using var worker = await scenario.StartWorkerAsync();

        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(scenario.TikTok.AcceptedCount($"schedule:{after}") == 1), Within));
        Assert.True(await Eventually.TrueAsync(async () => (await worker.DeadLetters.ReadAsync()).Count == 1, Within));
        var deadLetter = Assert.Single(await worker.DeadLetters.ReadAsync());
        Assert.Equal(unreadable.ToString(), deadLetter.EntryId);
        Assert.Equal(typeof(InvalidDataException).FullName, deadLetter.ErrorType);
        Assert.Contains("version 2", deadLetter.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(newer, (byte[])deadLetter.EntryFields.Single(f => f.Name == IngestEntry.Facts).Value!);
    }
}
