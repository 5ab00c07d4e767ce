using System.Text.Json.Nodes;
using Able.Attribution.Delivery;
using Able.Attribution.Ga4;
using Able.Attribution.Receipts;
using Able.FunctionalTests.Worker;
using Able.Schema.Visitors;
using StackExchange.Redis;

namespace Able.FunctionalTests.Admin;

/// <summary>
/// What a replay leaves for the worker to take up, seen with the worker stopped: a TikTok delivery's dead letter is read
/// back as the worker wrote it (TikTok's code and message, where it was going, when), and its replay queues the job
/// again, due now and with no attempts, its receipt back to queued saying why and kept for the funnel's retention; a GA4
/// delivery's replay puts back the receipt's GA4 side and leaves its TikTok side as it was.
/// </summary>
public sealed partial class DeadLetterReplayTests
{
    [Fact]
    public async Task A_replayed_TikTok_delivery_is_queued_again_due_now_its_receipt_queued_saying_so_for_the_funnel_retention()
    {
        await using var scenario = await WorkerScenario.CreateAsync(WorkerDeliveryTests.BookedAt);
        scenario.Config.Funnel["RetentionDays"] = Replica.RetentionDays;
        scenario.TikTok.Responder = _ => FakeReply.InvalidEvent("refused for good");
        const string receiptId = "schedule:99999999-0000-4000-8000-000000000001";
        DeadLetter letter;
        long before, after;
        await using (var worker = await scenario.StartWorkerAsync())
        {
            before = scenario.Time.GetUtcNow().ToUnixTimeMilliseconds();
            await scenario.AddAsync("calendly", "invitee.created", WorkerDeliveryTests.Untracked(receiptId["schedule:".Length..], "replayed@example.com"));
            Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", receiptId))?.Status == ReceiptStatus.DeadLettered, Within));
            after = scenario.Time.GetUtcNow().ToUnixTimeMilliseconds();
            letter = Assert.Single(await worker.DeadLetters.ReadAsync());
        }

        Assert.Equal(DeadLetters.DeliveryKind, letter.Kind);
        Assert.Equal(DeadLetters.TikTokDestination, letter.Destination);
        Assert.Equal("acme", letter.Mark);
        Assert.Equal(receiptId, letter.EventId);
        Assert.Equal(40002, letter.TikTokCode);
        Assert.Equal("Invalid parameter: data.event_id refused for good is invalid", letter.TikTokMessage);
        Assert.InRange(letter.At ?? 0, before, after);
        Assert.NotNull(letter.Job);

        // Only a poison ingest entry goes back to the ingest stream: a delivery's dead letter is refused there.
        var ingested = await scenario.Db.StreamLengthAsync(scenario.Keys.IngestStream);
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => new DeadLetters(scenario.Db.Multiplexer, scenario.Keys).ReplayAsync(letter));
        Assert.Contains($"Dead letter {letter.Id} is not an ingest entry", refused.Message, StringComparison.Ordinal);
        Assert.Equal(ingested, await scenario.Db.StreamLengthAsync(scenario.Keys.IngestStream));

        var replica = await Replica.CreateAsync(scenario.Keys, scenario.Time);
        var outcome = await replica.Replay.ReplayAsync(letter.Id);
        Assert.Equal(ReplayResult.Queued, outcome.Result);
        Assert.Equal($"delivery {letter.DeliveryId} queued", outcome.Detail);

        var receipt = (await new ReceiptStore(scenario.Db.Multiplexer, scenario.Keys).GetAsync("acme", receiptId))!;
        Assert.Equal(ReceiptStatus.Queued, receipt.Status);
        Assert.Equal("replayed from the dead-letter stream", receipt.Reason);
        Assert.Equal(0, receipt.Attempts);
        Assert.Null(receipt.TikTokCode);
        Assert.Null(receipt.TikTokMessage);
        AssertKeptForTheFunnelRetention(await scenario.Db.KeyTimeToLiveAsync(scenario.Keys.Receipt("acme", receiptId)));
        Assert.True(DeliveryJob.TryFromJson(await scenario.Db.StringGetAsync(scenario.Keys.DeliveryJob(letter.DeliveryId)), out var job, out _));
        Assert.Equal(0, job!.Attempts);
        Assert.InRange(await scenario.Db.SortedSetScoreAsync(scenario.Keys.DeliverySchedule, letter.DeliveryId) ?? -1, after, scenario.Time.GetUtcNow().ToUnixTimeMilliseconds());
        Assert.False(await scenario.Db.KeyExistsAsync(scenario.Keys.DeliveryLedger(letter.DeliveryId)));
        Assert.Null(await replica.Replay.GetAsync(letter.Id));
    }

    [Fact]
    public async Task A_replayed_GA4_delivery_puts_back_the_receipt_GA4_side_queued_saying_so_and_leaves_its_TikTok_side_sent()
    {
        await using var scenario = await WorkerScenario.CreateAsync(WorkerDeliveryTests.BookedAt);
        await using var ga4 = await FakeGa4.StartAsync();
        ga4.ExpectedApiSecret = "ga4-secret-value-1234";
        scenario.Config.Funnel["Ga4"] = new JsonObject { ["MeasurementId"] = "G-TEST123456", ["ApiSecret"] = ga4.ExpectedApiSecret };
        scenario.Config.Funnel["RetentionDays"] = Replica.RetentionDays;
        scenario.Worker("Ga4BaseUrl", ga4.BaseUrl.ToString());
        var vid = VisitorId.New();
        await scenario.AddVisitorAsync(vid, "E.C.P.ga4-replay", WorkerDeliveryTests.ClickedAt, "203.0.113.41");
        await scenario.Db.HashSetAsync(scenario.Keys.Visitor(vid), [new(VisitorFields.GaClientId, "1234567890.1772630000"), new(VisitorFields.GaSessionId, "1772636400")]);
        ga4.Enqueue(404);
        DeadLetter letter;
        await using (var worker = await scenario.StartWorkerAsync())
        {
            await scenario.AddAsync("calendly", "invitee.created", Fixtures.Read("calendly/invitee-created-free.json", vid));
            Assert.True(await Eventually.TrueAsync(async () => await worker.Receipts.GetAsync("acme", WorkerDeliveryTests.FreeScheduleId) is { Status: ReceiptStatus.Sent, Ga4.Status: Ga4Status.DeadLettered }, Within));
            letter = Assert.Single(await worker.DeadLetters.ReadAsync());
        }

        Assert.Equal(DeadLetters.Ga4Destination, letter.Destination);
        Assert.Equal(404, letter.TikTokCode);
        Assert.Null(letter.TikTokMessage);
        Assert.Equal("1234567890.1772630000", (string?)JsonNode.Parse(letter.Payload!)!["client_id"]);

        var replica = await Replica.CreateAsync(scenario.Keys, scenario.Time);
        var outcome = await replica.Replay.ReplayAsync(letter.Id);
        Assert.Equal(ReplayResult.Queued, outcome.Result);
        Assert.Equal($"delivery {letter.DeliveryId} queued", outcome.Detail);

        var receipt = (await new ReceiptStore(scenario.Db.Multiplexer, scenario.Keys).GetAsync("acme", WorkerDeliveryTests.FreeScheduleId))!;
        Assert.Equal(ReceiptStatus.Sent, receipt.Status);
        Assert.Equal(Ga4Status.Queued, receipt.Ga4!.Status);
        Assert.Equal("replayed from the dead-letter stream", receipt.Ga4.Reason);
        Assert.Equal(0, receipt.Ga4.Attempts);
        Assert.Null(receipt.Ga4.HttpStatus);
        AssertKeptForTheFunnelRetention(await scenario.Db.KeyTimeToLiveAsync(scenario.Keys.Ga4Receipt("acme", WorkerDeliveryTests.FreeScheduleId)));
        Assert.True(await scenario.Db.KeyExistsAsync(scenario.Keys.DeliveryJob(letter.DeliveryId)));
        Assert.Single(ga4.Requests);
    }

    private static void AssertKeptForTheFunnelRetention(TimeSpan? ttl) =>
        Assert.InRange(ttl ?? TimeSpan.Zero, TimeSpan.FromDays(Replica.RetentionDays) - TimeSpan.FromHours(1), TimeSpan.FromDays(Replica.RetentionDays));
}
