using Able.Attribution.Receipts;
using StackExchange.Redis;

namespace Able.FunctionalTests.Worker;

/// <summary>
/// Operators run Redis with <c>maxmemory-policy volatile-lru</c>: only keys with a TTL may be evicted. So no key
/// the delivery guarantees rest on (ingest stream, schedule, jobs, ledger and its expiry index, dead letters)
/// may carry one, whatever way a delivery ended.
/// </summary>
public sealed class DeliveryStateRetentionTests
{
    private const string Booking = "00000000-0000-4000-8000-000000000001";
    private const string EventId = "schedule:" + Booking;
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(ReceiptStatus.Sent)]
    [InlineData(ReceiptStatus.Retrying)]
    [InlineData(ReceiptStatus.DeadLettered)]
    [InlineData(ReceiptStatus.DryRun)]
    public async Task No_delivery_state_key_carries_a_ttl_after_a_delivery_ends_as(string outcome)
    {
        await using var scenario = await WorkerScenario.CreateAsync(
            WorkerDeliveryTests.BookedAt, accessToken: outcome == ReceiptStatus.DryRun ? null : "test-token");
        scenario.Worker("RetryBaseMilliseconds", 60_000); // a retry stays pending while the keys are checked
        scenario.Worker("RetryMaxMilliseconds", 60_000);
        scenario.TikTok.Responder = outcome switch
        {
            ReceiptStatus.Retrying => _ => FakeReply.ServerError,
            ReceiptStatus.DeadLettered => _ => FakeReply.TokenInvalid,
            _ => _ => FakeReply.Ok,
        };
        await using var worker = await scenario.StartWorkerAsync();

        await scenario.AddAsync("calendly", "invitee.created", WorkerDeliveryTests.Untracked(Booking, "ttl@example.com"));

        Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", EventId))?.Status == outcome, Within));
        if (outcome != ReceiptStatus.Retrying)
        {
            // The final receipt is saved just before the job leaves the schedule: wait for that, so no key vanishes mid-check.
            Assert.True(await Eventually.TrueAsync(async () => !await scenario.Db.KeyExistsAsync(scenario.Config.KeyPrefix + "delivery:schedule"), Within));
        }

        var keys = await DeliveryStateKeysAsync(scenario);
        foreach (var key in keys)
        {
            Assert.True((long)await scenario.Db.ExecuteAsync("TTL", key) == -1, $"{key} carries a TTL");
        }

        var prefix = scenario.Config.KeyPrefix;
        var expected = new List<string> { "ingest", "delivery:ledger:", "delivery:ledger-expiry" };
        expected.AddRange(outcome switch
        {
            ReceiptStatus.Retrying => ["delivery:schedule", "delivery:job:"],
            ReceiptStatus.DeadLettered => ["deadletter"],
            _ => [],
        });
        Assert.All(expected, kind => Assert.Contains(keys, k => k.StartsWith(prefix + kind, StringComparison.Ordinal)));
        if (outcome != ReceiptStatus.Retrying)
        {
            // A finished delivery leaves no job behind (without a TTL nothing else would ever remove it).
            Assert.DoesNotContain(keys, k => k.StartsWith(prefix + "delivery:job:", StringComparison.Ordinal)
                || k == prefix + "delivery:schedule");
        }
    }

    /// <summary>Every existing key of the delivery-state kinds under the test's prefix (SCAN, not KEYS).</summary>
    internal static async Task<List<string>> DeliveryStateKeysAsync(WorkerScenario scenario)
    {
        var prefix = scenario.Config.KeyPrefix;
        string[] kinds = ["ingest", "delivery:", "deadletter"];
        var keys = new List<string>();
        var cursor = "0";
        do
        {
            var reply = (RedisResult[])(await scenario.Db.ExecuteAsync("SCAN", cursor, "MATCH", prefix + "*", "COUNT", 1000))!;
            cursor = (string)reply[0]!;
            keys.AddRange(((RedisResult[])reply[1]!).Select(k => (string)k!)
                .Where(k => kinds.Any(kind => k.StartsWith(prefix + kind, StringComparison.Ordinal))));
        }
        while (cursor != "0");

        return keys;
    }
}
