using Able.Schema.Redis;

namespace Able.FunctionalTests.Worker;

/// <summary>A page of new ingest entries is processed together: duplicates inside one page still resolve in stream order.</summary>
public sealed class IngestPageTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    private static string Invitee(int i) => $"00000000-0000-4000-8000-{i:D12}";

    [Fact]
    public async Task Each_booking_delivered_twice_in_one_page_is_sent_once_and_owned_by_its_first_entry()
    {
        const int count = 20;
        await using var scenario = await WorkerScenario.CreateAsync(WorkerDeliveryTests.BookedAt);
        var first = new List<string>();
        for (var i = 0; i < count; i++)
        {
            first.Add((await scenario.AddAsync("calendly", "invitee.created", WorkerDeliveryTests.Untracked(Invitee(i), $"person{i}@example.com"))).ToString());
        }

        for (var i = 0; i < count; i++)
        {
            await scenario.AddAsync("calendly", "invitee.created", WorkerDeliveryTests.Untracked(Invitee(i), $"person{i}@example.com"));
        }

        await using var worker = await scenario.StartWorkerAsync();

        Assert.True(await Eventually.TrueAsync(async () =>
            scenario.TikTok.Accepted.Count == count
            && (await scenario.Db.StreamPendingAsync(scenario.Keys.IngestStream, RedisKeys.WorkerGroup)).PendingMessageCount == 0
            && await scenario.Db.SortedSetLengthAsync(scenario.Keys.DeliverySchedule) == 0, Within));
        await Task.Delay(500);
        Assert.All(Enumerable.Range(0, count), i => Assert.Equal(1, scenario.TikTok.AcceptedCount($"schedule:{Invitee(i)}")));
        Assert.Equal(count, scenario.TikTok.Accepted.Count);
        for (var i = 0; i < count; i++)
        {
            var receipt = await worker.Receipts.GetAsync("acme", $"schedule:{Invitee(i)}");
            Assert.Equal(first[i], receipt?.EntryId);
        }

        Assert.Contains($"able_tiktok_events_total{{funnel=\"acme\",outcome=\"duplicate\"}} {count}", await worker.MetricsTextAsync(), StringComparison.Ordinal);
    }
}
