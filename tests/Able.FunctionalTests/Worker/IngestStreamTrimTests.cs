using Able.Attribution.Ingest;
using Able.Attribution.Worker;
using Able.Schema.Redis;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Able.FunctionalTests.Worker;

/// <summary>The ingest stream is trimmed of old acknowledged entries, never of unread or pending ones.</summary>
public sealed class IngestStreamTrimTests
{
    [Fact]
    public async Task Old_acknowledged_entries_go_and_pending_or_unread_entries_stay()
    {
        await using var scenario = await WorkerScenario.CreateAsync("2026-03-04T15:10:00Z");
        scenario.Worker("StreamRetentionMinutes", 1);
        var db = scenario.Db;
        var stream = scenario.Keys.IngestStream;

        // Two ancient entries (ids from 1970) that the worker reads and acknowledges (they are malformed: recorded).
        await using (await scenario.StartWorkerAsync())
        {
            await AddAsync(db, stream, "1000-0");
            await AddAsync(db, stream, "2000-0");
            Assert.True(await Eventually.TrueAsync(async () =>
            {
                var group = (await db.StreamGroupInfoAsync(stream)).Single(g => g.Name == RedisKeys.WorkerGroup);
                return group.LastDeliveredId == "2000-0" && group.PendingMessageCount == 0;
            }, TimeSpan.FromSeconds(20)));
        }

        // With the worker stopped: one entry another replica holds pending, one nobody has read.
        await AddAsync(db, stream, "3000-0");
        await AddAsync(db, stream, "4000-0");
        var taken = await db.StreamReadGroupAsync(stream, RedisKeys.WorkerGroup, "ghost", ">", count: 1);
        Assert.Equal("3000-0", (string?)Assert.Single(taken).Id);

        scenario.Worker("Enabled", false);
        await using var idle = await scenario.StartWorkerAsync();
        var trimmer = idle.Services.GetRequiredService<IngestStreamTrimmer>();

        Assert.Equal("3000-0", await trimmer.TrimAsync());
        Assert.Equal(["3000-0", "4000-0"], await IdsAsync(db, stream));

        await db.StreamAcknowledgeAsync(stream, RedisKeys.WorkerGroup, "3000-0");
        Assert.Equal("3000-1", await trimmer.TrimAsync());
        Assert.Equal(["4000-0"], await IdsAsync(db, stream));
    }

    private static Task<RedisValue> AddAsync(IDatabase db, RedisKey stream, string id) => db.StreamAddAsync(
        stream,
        [
            new(IngestEntry.Source, IngestEntry.Sources.Calendly),
            new(IngestEntry.Mark, "acme"),
            new(IngestEntry.SourceEvent, "invitee.created"),
            new(IngestEntry.ReceivedAt, "1000"),
            new(IngestEntry.Facts, IngestFacts.Parse(IngestEntry.Sources.Calendly, "{}"u8.ToArray(), "DE").ToUtf8Json()),
        ],
        messageId: id);

    private static async Task<string[]> IdsAsync(IDatabase db, RedisKey stream) =>
        [.. (await db.StreamRangeAsync(stream)).Select(e => e.Id.ToString())];
}
