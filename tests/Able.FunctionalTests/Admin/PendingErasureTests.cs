using Able.Attribution.Erasure;
using Able.Attribution.Identity;
using Able.Attribution.Receipts;
using Able.FunctionalTests.Worker;
using Able.Schema.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Able.FunctionalTests.Admin;

/// <summary>Erasure of a person whose booking is still waiting for a late join: the pending delivery goes too and is never sent.</summary>
public sealed class PendingErasureTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_booking_waiting_for_its_join_is_erased_with_its_pending_delivery_and_never_sent()
    {
        await using var scenario = await WorkerScenario.CreateAsync(WorkerDeliveryTests.BookedAt, graceSeconds: 3600);
        await using var worker = await scenario.StartWorkerAsync();
        const string invitee = "14141414-0000-4000-8000-000000000001";
        await scenario.AddAsync("calendly", "invitee.created", WorkerDeliveryTests.Untracked(invitee, "Waiting.Person@example.org"));
        Assert.True(await Eventually.TrueAsync(async () =>
            (await worker.Receipts.GetAsync("acme", $"schedule:{invitee}"))?.Status == ReceiptStatus.WaitingForJoin, Within));
        // The receipt is saved before the job is queued: wait for the job too.
        Assert.True(await Eventually.TrueAsync(async () => await scenario.Db.SortedSetLengthAsync(scenario.Keys.DeliverySchedule) == 1, Within));

        Assert.True(ContactKey.TryFromEmail("waiting.person@EXAMPLE.org", out var person, out _));
        var report = await ActivatorUtilities.CreateInstance<PersonEraser>(worker.Services).EraseAsync(person!);

        Assert.Equal(1, report.PendingDeliveries);
        Assert.Equal(1, report.Receipts);
        Assert.Equal(1, report.IngestEntries);
        Assert.Equal(0, await scenario.Db.SortedSetLengthAsync(scenario.Keys.DeliverySchedule));
        Assert.Null(await worker.Receipts.GetAsync("acme", $"schedule:{invitee}"));
        var hash = ContactHashing.HashEmail("waiting.person@example.org")!;
        var redis = await RedisTestServer.GetAsync();
        foreach (var key in await redis.KeysAsync(scenario.Keys.Prefix))
        {
            Assert.DoesNotContain(hash, key, StringComparison.Ordinal);
            if (await scenario.Db.KeyTypeAsync(key) == StackExchange.Redis.RedisType.String)
            {
                Assert.DoesNotContain(hash, (string?)await scenario.Db.StringGetAsync(key) ?? "", StringComparison.Ordinal);
            }
        }

        // Past the grace period nothing is due: nothing is sent.
        scenario.Time.JumpTo(scenario.Time.GetUtcNow().AddHours(2));
        const string sentinel = "14141414-0000-4000-8000-000000000002";
        await scenario.AddAsync("calendly", "invitee.created", WorkerDeliveryTests.Untracked(sentinel, "sentinel@example.org"));
        Assert.True(await Eventually.TrueAsync(async () =>
            (await worker.Receipts.GetAsync("acme", $"schedule:{sentinel}"))?.Status == ReceiptStatus.WaitingForJoin, Within));
        scenario.Time.JumpTo(scenario.Time.GetUtcNow().AddHours(2));
        Assert.True(await Eventually.TrueAsync(async () =>
            (await worker.Receipts.GetAsync("acme", $"schedule:{sentinel}"))?.Status == ReceiptStatus.Sent, Within));
        Assert.Equal(0, scenario.TikTok.AcceptedCount($"schedule:{invitee}"));
    }
}
