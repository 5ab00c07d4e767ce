using Able.Attribution.Receipts;

namespace Able.FunctionalTests.Worker;

/// <summary>
/// When a failed delivery is tried again, read from the schedule as the worker wrote it: RetryBaseMilliseconds doubled per
/// attempt, capped at RetryMaxMilliseconds, each job with its own ±50 % jitter so a failed batch does not come back as
/// one burst. Thirty bookings fail in one batch, so each bound below is checked against thirty independent draws.
/// </summary>
public sealed class RetryScheduleTests
{
    private const int Bookings = 30;
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    private static string ReceiptId(int i) => $"schedule:00000000-0000-4000-8000-0000000003{i:D2}";

    private static string DeliveryId(int i) => "CTESTPIXEL0000000000:Schedule:" + ReceiptId(i);

    /// <summary>Each booking's wait until its next attempt, from when its failed attempt was recorded, once all of them have failed <paramref name="attempts"/> times.</summary>
    private static async Task<IReadOnlyList<TimeSpan>> WaitsAfterAsync(WorkerScenario scenario, WorkerHost worker, int attempts)
    {
        Assert.True(await Eventually.TrueAsync(async () =>
            (await Task.WhenAll(Enumerable.Range(0, Bookings).Select(i => worker.Receipts.GetAsync("acme", ReceiptId(i)))))
            .All(r => r is { Status: ReceiptStatus.Retrying } && r.Attempts == attempts), Within));
        var waits = new List<TimeSpan>();
        for (var i = 0; i < Bookings; i++)
        {
            var receipt = (await worker.Receipts.GetAsync("acme", ReceiptId(i)))!;
            var due = await scenario.Db.SortedSetScoreAsync(scenario.Keys.DeliverySchedule, DeliveryId(i));
            Assert.NotNull(due);
            // The receipt is saved a moment after the retry time is computed: allow that moment below the lower bound.
            waits.Add(TimeSpan.FromMilliseconds(due.Value - receipt.UpdatedAt));
        }

        return waits;
    }

    [Fact]
    public async Task Retries_back_off_exponentially_up_to_the_cap_each_job_with_its_own_jitter()
    {
        await using var scenario = await WorkerScenario.CreateAsync(WorkerDeliveryTests.BookedAt);
        scenario.TikTok.Responder = _ => FakeReply.ServerError;
        scenario.Worker("RetryBaseMilliseconds", 60_000);
        scenario.Worker("RetryMaxMilliseconds", 100_000);
        for (var i = 0; i < Bookings; i++)
        {
            await scenario.AddAsync("calendly", "invitee.created",
                WorkerDeliveryTests.Untracked(ReceiptId(i)["schedule:".Length..], $"retry{i}@example.com"));
        }

        await using var worker = await scenario.StartWorkerAsync();

        // First failure: 60 s × [0.5, 1.5).
        var first = await WaitsAfterAsync(scenario, worker, attempts: 1);
        Assert.All(first, wait => Assert.InRange(wait, TimeSpan.FromSeconds(29), TimeSpan.FromSeconds(90)));
        Assert.True(first.Max() - first.Min() > TimeSpan.FromSeconds(6), $"the waits are not spread: {string.Join(", ", first)}");

        // Second failure: 120 s capped at 100 s, × [0.5, 1.5). Past the longest first wait, all fall due together.
        scenario.Time.JumpTo(scenario.Time.GetUtcNow().AddSeconds(91));
        var second = await WaitsAfterAsync(scenario, worker, attempts: 2);
        Assert.All(second, wait => Assert.InRange(wait, TimeSpan.FromSeconds(49), TimeSpan.FromSeconds(150)));

        // Third: 240 s, still capped at 100 s.
        scenario.Time.JumpTo(scenario.Time.GetUtcNow().AddSeconds(151));
        var third = await WaitsAfterAsync(scenario, worker, attempts: 3);
        Assert.All(third, wait => Assert.InRange(wait, TimeSpan.FromSeconds(49), TimeSpan.FromSeconds(150)));
        Assert.Empty(scenario.TikTok.Accepted);
    }
}
