using Able.Attribution.Delivery;
using Able.Attribution.Ingest;
using Able.Schema.Configuration;
using Able.Schema.Redis;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Able.FunctionalTests.Admin;

/// <summary>
/// The dead-letter stream as an admin replica pages and replays it, on real Redis with no worker running (nothing takes
/// up what a replay queues): a page holds at most its limit and names where the next one starts, and names nothing
/// when nothing follows; a funnel's page reads at most <see cref="DeadLetterReplay.MaxScannedPerPage"/> dead letters;
/// replay-all takes each of a funnel's dead letters exactly once however many dead letters lie before them; a replay
/// of a replayed entry still reserves as the first entry.
/// </summary>
public sealed partial class DeadLetterReplayTests
{
    [Fact]
    public async Task A_funnel_page_holds_at_most_its_limit_names_the_next_page_while_more_follow_and_none_at_the_end()
    {
        var replica = await Replica.CreateAsync();
        // acme, other, acme, acme, other, acme, acme: the stream's last dead letter is acme's.
        string[] funnels = ["acme", "other", "acme", "acme", "other", "acme", "acme"];
        for (var i = 0; i < funnels.Length; i++)
        {
            await replica.Writer.AddPoisonAsync(IngestEntryOf($"{i + 1}-1"), funnels[i], 3, null, replica.Now);
        }

        var ids = (await replica.Db.StreamRangeAsync(replica.Keys.DeadLetterStream)).Select(e => e.Id.ToString()).ToList();
        var acme = Enumerable.Range(0, funnels.Length).Where(i => funnels[i] == "acme").Select(i => ids[i]).ToList();

        // Pages of two of acme's five: each holds two until the last, and names the last letter it holds.
        var first = await replica.Replay.ListAsync("acme", 2, null);
        Assert.Equal(acme[..2], first.Items.Select(l => l.Id));
        Assert.Equal(acme[1], first.NextCursor);
        var second = await replica.Replay.ListAsync("acme", 2, first.NextCursor);
        Assert.Equal(acme[2..4], second.Items.Select(l => l.Id));
        Assert.Equal(acme[3], second.NextCursor);
        var third = await replica.Replay.ListAsync("acme", 2, second.NextCursor);
        Assert.Equal(acme[4..], third.Items.Select(l => l.Id));
        Assert.Null(third.NextCursor);
        Assert.All(first.Items.Concat(second.Items).Concat(third.Items), l => Assert.Equal("acme", l.Mark));

        // A page filled by the stream's last dead letter names no next page (there is none), with or without a funnel.
        var all = await replica.Replay.ListAsync(null, funnels.Length, null);
        Assert.Equal(ids, all.Items.Select(l => l.Id));
        Assert.Null(all.NextCursor);
        Assert.Null((await replica.Replay.ListAsync("acme", acme.Count, null)).NextCursor);
        var allButLast = await replica.Replay.ListAsync(null, funnels.Length - 1, null);
        Assert.Equal(ids[^2], allButLast.NextCursor);
        Assert.Equal(ids[^1], Assert.Single((await replica.Replay.ListAsync(null, 10, allButLast.NextCursor)).Items).Id);

        // A stream id of the longest form (41 characters) is a cursor like any other: after it, nothing.
        var end = await replica.Replay.ListAsync(null, 10, "18446744073709551614-18446744073709551615");
        Assert.Null(end.Problem);
        Assert.Empty(end.Items);
        Assert.Null(end.NextCursor);

        // Only the largest id of all ends the stream: a cursor with the largest sequence number at a small time does not.
        Assert.Equal(ids, (await replica.Replay.ListAsync(null, 10, "0-18446744073709551615")).Items.Select(l => l.Id));
        Assert.Empty((await replica.Replay.ListAsync(null, 10, "18446744073709551615-18446744073709551615")).Items);
    }

    [Fact]
    public async Task A_funnel_page_reads_at_most_5000_dead_letters_and_then_names_where_to_go_on()
    {
        var replica = await Replica.CreateAsync();
        await Task.WhenAll(Enumerable.Range(1, DeadLetterReplay.MaxScannedPerPage)
            .Select(i => replica.Writer.AddPoisonAsync(IngestEntryOf($"{i}-1"), "other", 3, null, replica.Now)));
        await replica.Writer.AddPoisonAsync(IngestEntryOf("9000-1"), "acme", 3, null, replica.Now);
        var ids = (await replica.Db.StreamRangeAsync(replica.Keys.DeadLetterStream)).Select(e => e.Id.ToString()).ToList();
        Assert.Equal(DeadLetterReplay.MaxScannedPerPage + 1, ids.Count);

        // 5000 other dead letters read, none acme's: an empty page that goes on after the last one read.
        var first = await replica.Replay.ListAsync("acme", 10, null);
        Assert.Empty(first.Items);
        Assert.Equal(ids[DeadLetterReplay.MaxScannedPerPage - 1], first.NextCursor);
        var second = await replica.Replay.ListAsync("acme", 10, first.NextCursor);
        Assert.Equal(ids[^1], Assert.Single(second.Items).Id);
        Assert.Null(second.NextCursor);
    }

    [Fact]
    public async Task Replaying_all_of_a_funnel_takes_each_of_its_dead_letters_once_behind_more_than_a_read_of_others()
    {
        var replica = await Replica.CreateAsync();
        // 199 of another funnel, then acme's: one that cannot be sent again (it stays) and a poison entry (replayable).
        for (var i = 1; i <= 199; i++)
        {
            await replica.Writer.AddPoisonAsync(IngestEntryOf($"{i}-1"), "other", 3, null, replica.Now);
        }

        var stays = (await replica.Db.StreamAddAsync(replica.Keys.DeadLetterStream,
        [
            new NameValueEntry("kind", DeadLetters.DeliveryKind), new NameValueEntry("delivery_id", "CTESTPIXEL0000000000:Schedule:old"),
            new NameValueEntry("funnel", "acme"), new NameValueEntry("reason", "invalid"), new NameValueEntry("payload", "{}"),
        ])).ToString();
        await replica.Writer.AddPoisonAsync(IngestEntryOf("500-1"), "acme", 3, null, replica.Now);
        var poison = (await replica.Db.StreamRangeAsync(replica.Keys.DeadLetterStream, "-", "+", 1, Order.Descending)).Single().Id.ToString();

        var outcomes = await replica.Replay.ReplayAllAsync("acme");

        Assert.Equal([stays, poison], outcomes.Select(o => o.DeadLetterId));
        Assert.Equal([ReplayResult.NotReplayable, ReplayResult.Queued], outcomes.Select(o => o.Result));
        var added = Assert.Single(await replica.Db.StreamRangeAsync(replica.Keys.IngestStream));
        Assert.Equal($"ingest entry {added.Id} added", outcomes[1].Detail);
        Assert.Equal("500-1", added[IngestEntry.ReplayOf].ToString());
        Assert.Equal(200, await replica.Db.StreamLengthAsync(replica.Keys.DeadLetterStream));
        Assert.NotNull(await replica.Replay.GetAsync(stays));
        Assert.Null(await replica.Replay.GetAsync(poison));
    }

    [Fact]
    public async Task A_replayed_entry_that_failed_again_is_replayed_as_the_first_entry_it_replays_with_its_fields_as_they_were()
    {
        var replica = await Replica.CreateAsync();
        // Entry 1-1 was dead-lettered and replayed as 7-1 (marked as its replay), which failed too.
        var again = IngestEntryOf("7-1");
        again = new StreamEntry(again.Id, [.. again.Values, new NameValueEntry(IngestEntry.ReplayOf, "1-1")]);
        await replica.Writer.AddPoisonAsync(again, "acme", 3, new InvalidOperationException("still broken"), replica.Now);
        var letter = Assert.Single((await replica.Replay.ListAsync("acme", 10, null)).Items);

        Assert.Equal(ReplayResult.Queued, (await replica.Replay.ReplayAsync(letter.Id)).Result);

        var added = Assert.Single(await replica.Db.StreamRangeAsync(replica.Keys.IngestStream));
        Assert.Equal("1-1", Assert.Single(added.Values, v => v.Name == IngestEntry.ReplayOf).Value.ToString());
        var original = IngestEntryOf("1-1").Values;
        Assert.Equal(original.Select(v => (v.Name.ToString(), v.Value.ToString())), added.Values.Where(v => v.Name != IngestEntry.ReplayOf).Select(v => (v.Name.ToString(), v.Value.ToString())));
    }

    /// <summary>An ingest entry as the ingress writes one (its facts are not read here: no worker runs).</summary>
    private static StreamEntry IngestEntryOf(string id) => new(id,
    [
        new NameValueEntry(IngestEntry.Source, "calendly"), new NameValueEntry(IngestEntry.Mark, "acme"),
        new NameValueEntry(IngestEntry.SourceEvent, "invitee.created"), new NameValueEntry(IngestEntry.ReceivedAt, 1_772_636_400_000),
        new NameValueEntry(IngestEntry.Facts, """{"source":"calendly"}"""),
    ]);

    /// <summary>What an admin replica has (the shared Redis under a fresh prefix, acme's retention 30 days), and no worker.</summary>
    private sealed class Replica
    {
        public const int RetentionDays = 30;

        private Replica(IDatabase db, RedisKeys keys, TimeProvider time)
        {
            Db = db;
            Keys = keys;
            Now = time.GetUtcNow();
            Writer = new DeadLetters(db.Multiplexer, keys);
            Replay = new DeadLetterReplay(db.Multiplexer, keys, time,
                new FixedOptions(new AbleOptions { Funnels = [new FunnelOptions { Mark = "acme", RetentionDays = RetentionDays }] }),
                NullLogger<DeadLetterReplay>.Instance);
        }

        public IDatabase Db { get; }

        public RedisKeys Keys { get; }

        public DateTimeOffset Now { get; }

        public DeadLetters Writer { get; }

        public DeadLetterReplay Replay { get; }

        public static async Task<Replica> CreateAsync(RedisKeys? keys = null, TimeProvider? time = null) =>
            new((await RedisTestServer.GetAsync()).Multiplexer.GetDatabase(), keys ?? new RedisKeys(RedisTestServer.NewKeyPrefix()), time ?? TimeProvider.System);
    }

    private sealed class FixedOptions(AbleOptions value) : IOptionsMonitor<AbleOptions>
    {
        public AbleOptions CurrentValue { get; } = value;

        public AbleOptions Get(string? name) => CurrentValue;

        public IDisposable? OnChange(Action<AbleOptions, string?> listener) => null;
    }
}
