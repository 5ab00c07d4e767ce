using Able.Attribution.Delivery;
using Able.Attribution.Receipts;
using Able.Supervision;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Able.FunctionalTests.Worker;

/// <summary>
/// A delivery job whose stored text cannot be read (damaged, or written by a version with another shape) is a defect
/// the worker would meet at every pass: it is dead-lettered as stored and the worker goes on, instead of the delivery
/// loop dying on it and the restarted process dying again.
/// </summary>
public sealed class UnreadableJobTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("not json at all {")]
    [InlineData("""{"id":"x","attempts":"many"}""")]
    [InlineData("[1,2,3]")]
    [InlineData("""{"id":"x","conversion":{"funnel":"acme","source":"calendly","source_type":"invitee.created","decision":0,"receipt_id":"schedule:x","event":"Schedule"},"receipt":null}""")]
    [InlineData("""{"id":"x","conversion":null,"receipt":{"id":"schedule:x","mark":"acme","source":"calendly","source_event":"invitee.created","status":"queued"}}""")]
    public async Task An_unreadable_job_is_dead_lettered_as_stored_and_the_worker_goes_on(string storedText)
    {
        await using var scenario = await WorkerScenario.CreateAsync(WorkerDeliveryTests.BookedAt);
        const string deliveryId = "CTESTPIXEL0000000000:Schedule:schedule:damaged";
        await scenario.Db.StringSetAsync(scenario.Keys.DeliveryJob(deliveryId), storedText);
        await scenario.Db.SortedSetAddAsync(scenario.Keys.DeliverySchedule, deliveryId, 0);
        await using var worker = await scenario.StartWorkerAsync();

        Assert.True(await Eventually.TrueAsync(async () => (await worker.DeadLetters.ReadAsync()).Count == 1, Within));
        var deadLetter = Assert.Single(await worker.DeadLetters.ReadAsync());
        Assert.Equal(DeadLetters.DeliveryKind, deadLetter.Kind);
        Assert.Equal(deliveryId, deadLetter.DeliveryId);
        Assert.StartsWith("the stored job cannot be read: ", deadLetter.Reason, StringComparison.Ordinal);
        Assert.Equal(storedText, deadLetter.Payload);
        Assert.False(await scenario.Db.KeyExistsAsync(scenario.Keys.DeliveryJob(deliveryId)));
        Assert.Null(await scenario.Db.SortedSetScoreAsync(scenario.Keys.DeliverySchedule, deliveryId));
        Assert.Equal(DeliveryStore.Dead, (string?)await scenario.Db.StringGetAsync(scenario.Keys.DeliveryLedger(deliveryId)));
        Assert.Contains("able_tiktok_events_total{funnel=\"unknown\",outcome=\"dead_lettered\"} 1", await worker.MetricsTextAsync(), StringComparison.Ordinal);

        const string after = "00000000-0000-4000-8000-0000000000b1";
        await scenario.AddAsync("calendly", "invitee.created", WorkerDeliveryTests.Untracked(after, "after@example.com"));
        Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", "schedule:" + after))?.Status == ReceiptStatus.Sent, Within));
        Assert.False(worker.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);
        Assert.Empty(worker.Services.GetRequiredService<LoopHealth>().Outages);
    }
}
