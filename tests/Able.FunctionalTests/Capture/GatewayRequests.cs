using System.Net.Http.Headers;
using Able.Attribution.Visitors;
using Able.Schema.Redis;
using Able.Schema.Visitors;
using StackExchange.Redis;

namespace Able.FunctionalTests.Capture;

/// <summary>Requests as a browser sends them, and reading back what the gateway stored.</summary>
public static class GatewayRequests
{
    public const string PhoneBrowser =
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 musical_ly_34.1.0 BytedanceWebview/d8a21c6";

    /// <summary>A top-level navigation from a phone browser.</summary>
    public static HttpRequestMessage Page(Uri baseUri, string pathAndQuery, string? cookie = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, pathAndQuery));
        request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        request.Headers.TryAddWithoutValidation("User-Agent", PhoneBrowser);
        request.Headers.AcceptLanguage.Add(new StringWithQualityHeaderValue("en-US"));
        if (cookie is not null)
        {
            request.Headers.TryAddWithoutValidation("Cookie", cookie);
        }

        return request;
    }

    public static IReadOnlyList<string> SetCookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? [.. values] : [];

    /// <summary>The visitor id the response set in <c>able_vid</c>, or null.</summary>
    public static string? VisitorCookie(HttpResponseMessage response, string name = "able_vid") =>
        SetCookies(response).Where(c => c.StartsWith(name + "=", StringComparison.Ordinal))
            .Select(c => c[(name.Length + 1)..c.IndexOf(';', StringComparison.Ordinal)])
            .SingleOrDefault();

    /// <summary>
    /// The visitor hash once the background writer has written it (or empty after 10 s). A capture is one script, so
    /// a hash that exists holds the whole capture.
    /// </summary>
    public static async Task<Dictionary<string, string>> VisitorAsync(RedisTestServer redis, TestConfig config, string visitorId, Func<Dictionary<string, string>, bool>? until = null)
    {
        var key = new RedisKeys(config.KeyPrefix).Visitor(visitorId);
        var fields = new Dictionary<string, string>();
        await Eventually.TrueAsync(async () =>
        {
            var entries = await redis.Multiplexer.GetDatabase().HashGetAllAsync(key);
            fields = entries.ToDictionary(e => e.Name.ToString(), e => e.Value.ToString());
            return fields.Count > 0 && (until is null || until(fields));
        }, TimeSpan.FromSeconds(10));
        return fields;
    }

    /// <summary>The visitor as the worker reads it (<see cref="VisitorProfile"/>), once <paramref name="until"/> holds (or as it is after 10 s).</summary>
    public static async Task<VisitorProfile> ProfileAsync(RedisTestServer redis, TestConfig config, string visitorId, Func<VisitorProfile, bool>? until = null)
    {
        var keys = new RedisKeys(config.KeyPrefix);
        VisitorProfile? profile = null;
        await Eventually.TrueAsync(async () =>
        {
            profile = await VisitorProfile.ReadAsync(redis.Multiplexer.GetDatabase(), keys, visitorId);
            return profile is not null && (until is null || until(profile));
        }, TimeSpan.FromSeconds(10));
        return profile ?? throw new Xunit.Sdk.XunitException($"visitor {visitorId} was not stored within 10 s");
    }

    /// <summary>Every touch kept for the visitor, newest first: the touches list, then the first touch.</summary>
    public static async Task<List<VisitorTouch>> TouchesAsync(RedisTestServer redis, TestConfig config, string visitorId)
    {
        var keys = new RedisKeys(config.KeyPrefix);
        var database = redis.Multiplexer.GetDatabase();
        var touches = (await database.ListRangeAsync(keys.VisitorTouches(visitorId))).Select(t => VisitorTouch.FromJson(t)!).ToList();
        if (VisitorTouch.FromJson(await database.HashGetAsync(keys.Visitor(visitorId), VisitorFields.FirstTouch)) is { } first)
        {
            touches.Add(first);
        }

        return touches;
    }

    /// <summary>Every key under the test's prefix with every value in it, as text (for "nothing raw stored" checks).</summary>
    public static async Task<string> DumpAsync(RedisTestServer redis, TestConfig config)
    {
        var database = redis.Multiplexer.GetDatabase();
        var dump = new System.Text.StringBuilder();
        foreach (var key in await redis.KeysAsync(config.KeyPrefix))
        {
            dump.Append(key).Append('\n');
            switch (await database.KeyTypeAsync(key))
            {
                case RedisType.Hash:
                    foreach (var entry in await database.HashGetAllAsync(key))
                    {
                        dump.Append(entry.Name).Append('=').Append(entry.Value).Append('\n');
                    }

                    break;
                case RedisType.List:
                    foreach (var item in await database.ListRangeAsync(key))
                    {
                        dump.Append(item).Append('\n');
                    }

                    break;
                case RedisType.String:
                    dump.Append(await database.StringGetAsync(key)).Append('\n');
                    break;
            }
        }

        return dump.ToString();
    }

    /// <summary>
    /// Sends one captured page (a sentinel) and waits until it is in Redis. The capture queue is first in, first out,
    /// so anything the request under test had queued would be in Redis by then: only the sentinel may be.
    /// </summary>
    public static async Task AssertOnlySentinelStoredAsync(RunningService gateway, RedisTestServer redis, TestConfig config, string why)
    {
        var sentinel = VisitorId.New();
        using (var response = await gateway.Client.SendAsync(Page(gateway.PublicBase, "/sentinel", $"able_vid={sentinel}")))
        {
            Assert.Equal(sentinel, VisitorCookie(response));
        }

        Assert.NotEmpty(await VisitorAsync(redis, config, sentinel));
        var keys = new RedisKeys(config.KeyPrefix);
        // The report counters follow their batch: once the sentinel's visit is counted, whatever came before it is too.
        var today = Able.Schema.Stats.StatsUpdate.Day(DateTimeOffset.UtcNow);
        var db = redis.Multiplexer.GetDatabase();
        Assert.True(await Eventually.TrueAsync(async () =>
            (await db.HashGetAsync(keys.FunnelStats("acme", today), Able.Schema.Stats.FunnelStatsFields.Visits)).HasValue, TimeSpan.FromSeconds(10)));
        Assert.Equal(1, (long)await db.HashGetAsync(keys.FunnelStats("acme", today), Able.Schema.Stats.FunnelStatsFields.Visits));
        var stored = (await redis.KeysAsync(config.KeyPrefix)).Order(StringComparer.Ordinal).ToList();
        string[] expected = [keys.Visitor(sentinel).ToString(), keys.FunnelStats("acme", today).ToString(), keys.CampaignStats("acme", today).ToString()];
        Assert.True(
            stored.Order(StringComparer.Ordinal).SequenceEqual(expected.Order(StringComparer.Ordinal)),
            $"{why}: expected only the sentinel's keys, found {string.Join(", ", stored)}");
    }
}
