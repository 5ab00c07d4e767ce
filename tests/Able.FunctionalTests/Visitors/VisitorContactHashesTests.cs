using Able.Schema.Redis;
using Able.Schema.Visitors;
using StackExchange.Redis;

namespace Able.FunctionalTests.Visitors;

/// <summary><see cref="VisitorContactHashes"/> against a real Redis: a comma-separated set, in the order added.</summary>
public sealed class VisitorContactHashesTests
{
    [Fact]
    public async Task Appends_in_order_without_duplicates_across_and_within_calls()
    {
        var (db, keys, vid) = await NewVisitorAsync();

        Assert.Equal(2, await VisitorContactHashes.AppendAsync(db, keys, vid, VisitorFields.EmailHashes, "a1", "b2"));
        Assert.Equal(1, await VisitorContactHashes.AppendAsync(db, keys, vid, VisitorFields.EmailHashes, "b2", "c3", "c3", "a1"));
        Assert.Equal(0, await VisitorContactHashes.AppendAsync(db, keys, vid, VisitorFields.EmailHashes, "c3"));

        Assert.Equal("a1,b2,c3", (string?)await db.HashGetAsync(keys.Visitor(vid), VisitorFields.EmailHashes));
        Assert.False(await db.HashExistsAsync(keys.Visitor(vid), VisitorFields.PhoneHashes));
    }

    [Fact]
    public async Task Email_and_phone_sets_are_separate_fields_and_keep_the_visitor_expiry()
    {
        var (db, keys, vid) = await NewVisitorAsync();

        await VisitorContactHashes.AppendAsync(db, keys, vid, VisitorFields.EmailHashes, "e1");
        await VisitorContactHashes.AppendAsync(db, keys, vid, VisitorFields.PhoneHashes, "e1", "p1");

        Assert.Equal("e1", (string?)await db.HashGetAsync(keys.Visitor(vid), VisitorFields.EmailHashes));
        Assert.Equal("e1,p1", (string?)await db.HashGetAsync(keys.Visitor(vid), VisitorFields.PhoneHashes));
        Assert.NotNull(await db.KeyTimeToLiveAsync(keys.Visitor(vid)));
    }

    [Fact]
    public async Task Keeps_what_is_there_and_skips_empty_hashes()
    {
        var (db, keys, vid) = await NewVisitorAsync();
        await db.HashSetAsync(keys.Visitor(vid), VisitorFields.EmailHashes, "old1,old2");

        Assert.Equal(1, await VisitorContactHashes.AppendAsync(db, keys, vid, VisitorFields.EmailHashes, "", null, "old2", "new"));
        Assert.Equal(0, await VisitorContactHashes.AppendAsync(db, keys, vid, VisitorFields.EmailHashes, [null, ""]));
        Assert.Equal(0, await VisitorContactHashes.AppendAsync(db, keys, vid, VisitorFields.EmailHashes, Array.Empty<string>()));

        Assert.Equal("old1,old2,new", (string?)await db.HashGetAsync(keys.Visitor(vid), VisitorFields.EmailHashes));
    }

    [Fact]
    public async Task Never_creates_a_visitor_hash_that_does_not_exist()
    {
        var redis = await RedisTestServer.GetAsync();
        var keys = new RedisKeys(RedisTestServer.NewKeyPrefix());
        var db = redis.Multiplexer.GetDatabase();
        var gone = VisitorId.New();

        // A visitor that expired after the worker read it: recreating it would leave a hash without expiry.
        Assert.Equal(0, await VisitorContactHashes.AppendAsync(db, keys, gone, VisitorFields.EmailHashes, "e1"));
        Assert.False(await db.KeyExistsAsync(keys.Visitor(gone)));
    }

    [Fact]
    public async Task Runs_inside_a_batch_in_order_with_the_batchs_other_commands()
    {
        var redis = await RedisTestServer.GetAsync();
        var keys = new RedisKeys(RedisTestServer.NewKeyPrefix());
        var db = redis.Multiplexer.GetDatabase();
        var vid = VisitorId.New();

        // As the gateway's capture writer does: the hash is created earlier in the same batch.
        var batch = db.CreateBatch();
        var created = batch.HashSetAsync(keys.Visitor(vid), VisitorFields.Mark, "acme");
        var first = VisitorContactHashes.AppendAsync(batch, keys, vid, VisitorFields.EmailHashes, "e1");
        var again = VisitorContactHashes.AppendAsync(batch, keys, vid, VisitorFields.EmailHashes, "e1", "e2");
        batch.Execute();
        await Task.WhenAll(created, first, again);

        Assert.Equal(1, await first);
        Assert.Equal(1, await again);
        Assert.Equal("e1,e2", (string?)await db.HashGetAsync(keys.Visitor(vid), VisitorFields.EmailHashes));
    }

    [Fact]
    public async Task Refuses_other_fields_and_hashes_with_a_comma()
    {
        var (db, keys, vid) = await NewVisitorAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => VisitorContactHashes.AppendAsync(db, keys, vid, VisitorFields.Ip, "e1"));
        await Assert.ThrowsAsync<ArgumentException>(() => VisitorContactHashes.AppendAsync(db, keys, vid, VisitorFields.EmailHashes, "e1,e2"));
        Assert.False(await db.HashExistsAsync(keys.Visitor(vid), VisitorFields.EmailHashes));
    }

    private static async Task<(IDatabase Db, RedisKeys Keys, string Vid)> NewVisitorAsync()
    {
        var redis = await RedisTestServer.GetAsync();
        var keys = new RedisKeys(RedisTestServer.NewKeyPrefix());
        var db = redis.Multiplexer.GetDatabase();
        var vid = VisitorId.New();
        await db.HashSetAsync(keys.Visitor(vid), VisitorFields.Mark, "acme");
        await db.KeyExpireAsync(keys.Visitor(vid), TimeSpan.FromMinutes(10));
        return (db, keys, vid);
    }
}
