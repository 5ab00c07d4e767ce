using Able.Attribution.Delivery;
using Able.Attribution.Ingest;
using Able.Attribution.Receipts;
using Able.FunctionalTests.Worker;
using Able.Schema.Visitors;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Able.FunctionalTests.Admin;

/// <summary>
/// Dead-letter replay through the real worker and a fake TikTok: a booking TikTok refused for good is dead-lettered;
/// once TikTok accepts again, a replay delivers it exactly once and its receipt shows it, and no second replay (also
/// from another replica at the same moment) sends anything more.
/// </summary>
public sealed partial class DeadLetterReplayTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_dead_lettered_booking_replayed_is_delivered_once_and_a_second_replay_finds_nothing_and_sends_nothing()
    {
        await using var scenario = await WorkerScenario.CreateAsync(WorkerDeliveryTests.BookedAt);
        var vid = VisitorId.New();
        await scenario.AddVisitorAsync(vid, "E.C.P.replay", WorkerDeliveryTests.ClickedAt, "203.0.113.20");
        scenario.TikTok.Responder = _ => FakeReply.InvalidEvent("refused for good");
        await using var worker = await scenario.StartWorkerAsync();
        await scenario.AddAsync("calendly", "invitee.created", Fixtures.Read("calendly/invitee-created-free.json", vid));

        Assert.True(await Eventually.TrueAsync(async () =>
            (await worker.Receipts.GetAsync("acme", WorkerDeliveryTests.FreeScheduleId))?.Status == ReceiptStatus.DeadLettered, Within));
        Assert.Empty(scenario.TikTok.Accepted);
        var replicaA = ActivatorUtilities.CreateInstance<DeadLetterReplay>(worker.Services);
        var replicaB = ActivatorUtilities.CreateInstance<DeadLetterReplay>(worker.Services);
        var letter = Assert.Single((await replicaA.ListAsync(null, 10, null)).Items);
        Assert.Equal(WorkerDeliveryTests.FreeScheduleId, letter.EventId);
        Assert.NotNull(letter.Job);
        Assert.Equal(40002, letter.TikTokCode);

        scenario.TikTok.Responder = _ => FakeReply.Ok;
        // Two replicas replay the same letter at once: exactly one queues it.
        var outcomes = await Task.WhenAll(replicaA.ReplayAsync(letter.Id), replicaB.ReplayAsync(letter.Id));
        Assert.Equal($"delivery {letter.DeliveryId} queued", Assert.Single(outcomes, o => o.Result == ReplayResult.Queued).Detail);
        // The other found it gone: before it read it, or (as a rule) after, when the replay script found nothing to take.
        Assert.Contains(Assert.Single(outcomes, o => o.Result == ReplayResult.NotFound).Detail, (string[])["already replayed or discarded", "no such dead letter"]);

        Assert.True(await Eventually.TrueAsync(async () =>
            (await worker.Receipts.GetAsync("acme", WorkerDeliveryTests.FreeScheduleId))?.Status == ReceiptStatus.Sent, Within));
        Assert.Equal(1, scenario.TikTok.AcceptedCount(WorkerDeliveryTests.FreeScheduleId));
        var receipt = (await worker.Receipts.GetAsync("acme", WorkerDeliveryTests.FreeScheduleId))!;
        Assert.Equal(1, receipt.Attempts);
        Assert.Equal(0, receipt.TikTokCode);
        Assert.Equal("E.C.P.replay", (string?)scenario.TikTok.Accepted.Single()["user"]!["ttclid"]);
        Assert.Equal(DeliveryStore.Sent, await worker.Services.GetRequiredService<DeliveryStore>().LedgerAsync(letter.DeliveryId));

        var again = await replicaA.ReplayAsync(letter.Id);
        Assert.Equal(ReplayResult.NotFound, again.Result);
        Assert.Equal("no such dead letter", again.Detail);
        Assert.Null(await replicaA.GetAsync(letter.Id));
        Assert.Equal(0, await scenario.Db.StreamLengthAsync(scenario.Keys.DeadLetterStream));

        // A later booking goes through the same delivery loop: once it is sent, anything the replays queued would have been too.
        const string laterInvitee = "66666666-aaaa-4aaa-8aaa-666666666666";
        await scenario.AddAsync("calendly", "invitee.created", WorkerDeliveryTests.Untracked(laterInvitee, "later@example.com"));
        Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", $"schedule:{laterInvitee}"))?.Status == ReceiptStatus.Sent, Within));
        Assert.Equal(1, scenario.TikTok.AcceptedCount(WorkerDeliveryTests.FreeScheduleId));
        Assert.Equal(2, scenario.TikTok.Accepted.Count);
        Assert.Empty(scenario.TikTok.Violations);
    }

    [Fact]
    public async Task Dead_letters_page_with_a_cursor_filter_by_funnel_are_discarded_once_and_replayed_all_each_once()
    {
        await using var scenario = await WorkerScenario.CreateAsync(WorkerDeliveryTests.BookedAt);
        scenario.TikTok.Responder = _ => FakeReply.InvalidEvent("refused for good");
        await using var worker = await scenario.StartWorkerAsync();
        string[] invitees = ["77777777-0000-4000-8000-000000000001", "77777777-0000-4000-8000-000000000002", "77777777-0000-4000-8000-000000000003"];
        foreach (var invitee in invitees)
        {
            await scenario.AddAsync("calendly", "invitee.created", WorkerDeliveryTests.Untracked(invitee, $"{invitee[^1]}@example.com"));
        }

        Assert.True(await Eventually.TrueAsync(async () => await scenario.Db.StreamLengthAsync(scenario.Keys.DeadLetterStream) == 3, Within));
        var replay = ActivatorUtilities.CreateInstance<DeadLetterReplay>(worker.Services);

        var first = await replay.ListAsync(null, 2, null);
        Assert.Equal(2, first.Items.Count);
        Assert.NotNull(first.NextCursor);
        var second = await replay.ListAsync(null, 2, first.NextCursor);
        var last = Assert.Single(second.Items);
        Assert.Null(second.NextCursor);
        Assert.Equal(3, first.Items.Concat(second.Items).Select(l => l.Id).Distinct().Count());
        Assert.Equal(invitees.Select(i => $"schedule:{i}").Order(StringComparer.Ordinal), first.Items.Append(last).Select(l => l.EventId).Order(StringComparer.Ordinal));
        Assert.Equal(3, (await replay.ListAsync("acme", 10, null)).Items.Count);
        Assert.Empty((await replay.ListAsync("other", 10, null)).Items);
        foreach (var bad in new[] { "not-a-cursor", "1-2-3", "", "(0-0", "99999999999999999999999-0" })
        {
            var page = await replay.ListAsync(null, 10, bad);
            Assert.Equal(DeadLetterReplay.InvalidCursor, page.Problem);
            Assert.Empty(page.Items);
        }

        Assert.Null(await replay.GetAsync("garbage"));
        Assert.Equal(ReplayResult.NotFound, (await replay.ReplayAsync("garbage")).Result);

        var discarded = first.Items[0];
        Assert.True(await replay.DiscardAsync(discarded.Id));
        Assert.False(await replay.DiscardAsync(discarded.Id));

        scenario.TikTok.Responder = _ => FakeReply.Ok;
        var outcomes = await replay.ReplayAllAsync(null);
        Assert.Equal(2, outcomes.Count);
        Assert.All(outcomes, o => Assert.Equal(ReplayResult.Queued, o.Result));
        var replayed = invitees.Select(i => $"schedule:{i}").Where(id => id != discarded.EventId).ToList();
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            foreach (var id in replayed)
            {
                if ((await worker.Receipts.GetAsync("acme", id))?.Status != ReceiptStatus.Sent)
                {
                    return false;
                }
            }

            return true;
        }, Within));
        Assert.All(replayed, id => Assert.Equal(1, scenario.TikTok.AcceptedCount(id)));
        Assert.Equal(0, scenario.TikTok.AcceptedCount(discarded.EventId!));
        Assert.Empty(await replay.ReplayAllAsync(null));
        Assert.Equal(ReceiptStatus.DeadLettered, (await worker.Receipts.GetAsync("acme", discarded.EventId!))!.Status);
    }

    [Fact]
    public async Task A_letter_without_its_job_is_not_replayable_and_stays_and_a_poison_entry_replayed_is_processed_once()
    {
        await using var scenario = await WorkerScenario.CreateAsync(WorkerDeliveryTests.BookedAt);
        await using var worker = await scenario.StartWorkerAsync();
        var replay = ActivatorUtilities.CreateInstance<DeadLetterReplay>(worker.Services);
        // As versions before replay wrote a delivery dead letter: the payload, not the job.
        var old = (await scenario.Db.StreamAddAsync(scenario.Keys.DeadLetterStream,
        [
            new NameValueEntry("kind", DeadLetters.DeliveryKind), new NameValueEntry("delivery_id", "CTESTPIXEL0000000000:Schedule:old"),
            new NameValueEntry("funnel", "acme"), new NameValueEntry("reason", "invalid"), new NameValueEntry("payload", "{}"),
        ])).ToString();
        var broken = (await scenario.Db.StreamAddAsync(scenario.Keys.DeadLetterStream,
        [
            new NameValueEntry("kind", DeadLetters.DeliveryKind), new NameValueEntry("delivery_id", "x"), new NameValueEntry("funnel", "acme"),
            new NameValueEntry("reason", "invalid"), new NameValueEntry(DeadLetters.JobField, "{not json"),
        ])).ToString();
        var oldOutcome = await replay.ReplayAsync(old);
        Assert.Equal(ReplayResult.NotReplayable, oldOutcome.Result);
        Assert.Contains("does not hold its delivery job", oldOutcome.Detail, StringComparison.Ordinal);
        Assert.Equal(ReplayResult.NotReplayable, (await replay.ReplayAsync(broken)).Result);
        Assert.NotNull(await replay.GetAsync(old));
        Assert.NotNull(await replay.GetAsync(broken));

        // A poison ingest entry (as the consumer dead-letters one) whose cause is gone: replayed, it is processed and sent.
        const string invitee = "88888888-0000-4000-8000-000000000001";
        var body = WorkerDeliveryTests.Untracked(invitee, "poison@example.com");
        var fields = new NameValueEntry[]
        {
            new(IngestEntry.Source, "calendly"), new(IngestEntry.Mark, "acme"), new(IngestEntry.SourceEvent, "invitee.created"),
            new(IngestEntry.ReceivedAt, scenario.Time.GetUtcNow().ToUnixTimeMilliseconds()),
            new(IngestEntry.Facts, IngestFacts.Parse("calendly", System.Text.Encoding.UTF8.GetBytes(body), "DE").ToUtf8Json()),
        };
        await worker.DeadLetters.AddPoisonAsync(new StreamEntry("1-1", fields), "acme", 5, new InvalidOperationException("was broken"), scenario.Time.GetUtcNow());
        var poison = (await replay.ListAsync(null, 10, null)).Items.Single(l => l.Kind == DeadLetters.IngestKind);
        var outcomes = await Task.WhenAll(replay.ReplayAsync(poison.Id), replay.ReplayAsync(poison.Id));
        Assert.Single(outcomes, o => o.Result == ReplayResult.Queued);
        Assert.Contains(Assert.Single(outcomes, o => o.Result == ReplayResult.NotFound).Detail, (string[])["already replayed or discarded", "no such dead letter"]);
        Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", $"schedule:{invitee}"))?.Status == ReceiptStatus.Sent, Within));
        Assert.Equal(1, scenario.TikTok.AcceptedCount($"schedule:{invitee}"));
        Assert.Null(await replay.GetAsync(poison.Id));
    }
}
