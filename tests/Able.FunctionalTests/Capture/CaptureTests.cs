using System.Net;
using System.Text.Json.Nodes;
using Able.Attribution.Visitors;
using Able.Schema.Redis;
using Able.Schema.Visitors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using static Able.FunctionalTests.Capture.GatewayRequests;

namespace Able.FunctionalTests.Capture;

/// <summary>Capture through the real gateway, a real origin on loopback and real Redis.</summary>
public sealed class CaptureTests
{
    private const string Landing =
        "/landing?ttclid=E.C.P.click-one&utm_source=tiktok&utm_medium=paid&utm_campaign=spring&utm_term=calls&utm_content=video1&gclid=G-1&fbclid=F-1";

    [Fact]
    public async Task First_visit_sets_the_cookie_stores_every_field_and_forwards_the_request_unchanged()
    {
        await using var run = await GatewayWithOrigin.StartAsync(config =>
        {
            config.Funnel["RetentionDays"] = 30;
            config.Funnel["Cookie"] = new JsonObject { ["Name"] = "able_vid", ["Domain"] = ".acme.test", ["MaxAgeDays"] = 200 };
        });
        var (origin, redis, config, gateway) = run;

        using var request = Page(gateway.PublicBase, Landing, cookie: "_ttp=2pTTPvalue01; _ga=GA1.1.1234567890.1700000000");
        request.Headers.Referrer = new Uri("https://www.tiktok.com/");
        using var response = await gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(RecordingOrigin.Html, await response.Content.ReadAsStringAsync());
        var setCookie = Assert.Single(SetCookies(response), c => c.StartsWith("able_vid=", StringComparison.Ordinal));
        var visitorId = VisitorCookie(response)!;
        Assert.True(VisitorId.IsWellFormed(visitorId));
        Assert.Equal($"able_vid={visitorId}; Max-Age={200 * 86400}; Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=Lax", setCookie);
        Assert.Contains(SetCookies(response), c => c.StartsWith("able_utm=", StringComparison.Ordinal) && c.EndsWith("; Path=/; Secure; HttpOnly; SameSite=Lax", StringComparison.Ordinal));
        // A response that sets a visitor's cookie must never be stored by a shared cache and replayed to others.
        Assert.True(response.Headers.CacheControl?.Private, "a response carrying the visitor cookie must be Cache-Control: private");

        var seen = origin.ReceivedOnce("/landing");
        Assert.Equal("GET", seen.Method);
        Assert.Equal(Landing[Landing.IndexOf('?', StringComparison.Ordinal)..], seen.QueryString);
        Assert.Equal("_ttp=2pTTPvalue01; _ga=GA1.1.1234567890.1700000000", seen.Headers["Cookie"]);
        Assert.Equal(PhoneBrowser, seen.Headers["User-Agent"]);

        var fields = await VisitorAsync(redis, config, visitorId);
        var profile = await ProfileAsync(redis, config, visitorId);
        var first = profile.FirstTouch!;
        Assert.Same(first, profile.LastTouch);
        Assert.Equal("pageview", first.Kind);
        Assert.Equal("acme", profile.Mark);
        Assert.Equal($"{gateway.PublicBase.GetLeftPart(UriPartial.Authority)}{Landing}", first.Url);
        Assert.Equal("https://www.tiktok.com/", first.Referrer);
        Assert.Equal("E.C.P.click-one", first.Ttclid);
        Assert.Equal(
            new Dictionary<string, string> { ["utm_source"] = "tiktok", ["utm_medium"] = "paid", ["utm_campaign"] = "spring", ["utm_term"] = "calls", ["utm_content"] = "video1" },
            first.Utm);
        Assert.Equal(new Dictionary<string, string> { ["gclid"] = "G-1", ["fbclid"] = "F-1" }, first.ClickIds);
        Assert.InRange(first.At, DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

        // The visitor's own values are stored once, in the hash, not again in the touch.
        Assert.Null(first.Ip);
        Assert.Null(first.UserAgent);
        Assert.Null(first.AcceptLanguage);
        Assert.Null(first.Ttp);
        Assert.Null(first.GaClientId);
        Assert.Equal("2pTTPvalue01", fields[VisitorFields.Ttp]);
        Assert.Equal("1234567890.1700000000", fields[VisitorFields.GaClientId]);
        Assert.Equal("127.0.0.1", fields[VisitorFields.Ip]);
        Assert.Equal(PhoneBrowser, fields[VisitorFields.UserAgent]);
        Assert.Equal("en-US", fields[VisitorFields.AcceptLanguage]);
        Assert.Equal("acme", fields[VisitorFields.Mark]);

        // A click on the first touch is read from the first touch: no copy of it in click fields.
        Assert.False(fields.ContainsKey(VisitorFields.ClickTtclid), "a first-touch click is not stored twice");
        Assert.Equal("E.C.P.click-one", profile.ClickTtclid);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(first.At), profile.ClickAt);
        Assert.Equal(first.Url, profile.ClickUrl);
        Assert.Equal("https://www.tiktok.com/", profile.ClickReferrer);
        Assert.Equal("127.0.0.1", profile.Ip);
        Assert.Equal(PhoneBrowser, profile.UserAgent);

        // One touch is one key: the touches list holds only later touches.
        var keys = new RedisKeys(config.KeyPrefix);
        var database = redis.Multiplexer.GetDatabase();
        Assert.False(await database.KeyExistsAsync(keys.VisitorTouches(visitorId)));
        var ttl = await database.KeyTimeToLiveAsync(keys.Visitor(visitorId));
        Assert.InRange(ttl!.Value, TimeSpan.FromDays(29.9), TimeSpan.FromDays(30));
    }

    [Fact]
    public async Task Later_visits_keep_the_first_touch_and_update_the_last_touch_and_the_newest_click()
    {
        await using var run = await GatewayWithOrigin.StartAsync();
        var (origin, redis, config, gateway) = run;

        string visitorId;
        using (var first = await gateway.Client.SendAsync(Page(gateway.PublicBase, Landing)))
        {
            visitorId = VisitorCookie(first)!;
        }

        var firstFields = await VisitorAsync(redis, config, visitorId);
        using (var second = await gateway.Client.SendAsync(Page(gateway.PublicBase, "/offer?ttclid=E.C.P.click-two&utm_source=tiktok&utm_campaign=summer", $"able_vid={visitorId}")))
        {
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
            Assert.Equal(visitorId, VisitorCookie(second)); // reused and refreshed
        }

        var fields = await VisitorAsync(redis, config, visitorId, f => f.GetValueOrDefault(VisitorFields.ClickTtclid) == "E.C.P.click-two");
        Assert.Equal(firstFields[VisitorFields.FirstTouch], fields[VisitorFields.FirstTouch]);
        Assert.Equal("E.C.P.click-one", VisitorTouch.FromJson(fields[VisitorFields.FirstTouch])!.Ttclid);
        var profile = await ProfileAsync(redis, config, visitorId);
        var last = profile.LastTouch!;
        Assert.Equal("E.C.P.click-two", last.Ttclid);
        Assert.Equal("summer", last.Utm!["utm_campaign"]);
        Assert.Equal("E.C.P.click-two", profile.ClickTtclid);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(last.At), profile.ClickAt);
        Assert.EndsWith("/offer?ttclid=E.C.P.click-two&utm_source=tiktok&utm_campaign=summer", profile.ClickUrl, StringComparison.Ordinal);
        Assert.Equal("E.C.P.click-one", profile.FirstTouch!.Ttclid);

        // A later page without a click id updates the last touch but leaves the newest click alone.
        using (var third = await gateway.Client.SendAsync(Page(gateway.PublicBase, "/pricing", $"able_vid={visitorId}")))
        {
            Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        }

        profile = await ProfileAsync(redis, config, visitorId, p => p.LastTouch!.Url!.EndsWith("/pricing", StringComparison.Ordinal));
        Assert.Equal("E.C.P.click-two", profile.ClickTtclid);
        Assert.Null(profile.LastTouch!.Ttclid);
        Assert.Equal(
            ["/pricing", "/offer", "/landing"],
            (await TouchesAsync(redis, config, visitorId)).Select(t => new Uri(t.Url!).AbsolutePath));
    }

    [Fact]
    public async Task The_touches_list_is_capped()
    {
        await using var run = await GatewayWithOrigin.StartAsync(config =>
        {
            config.Able["Gateway"]!["Capture"] = new JsonObject { ["MaxTouches"] = 3 };
        });
        var (origin, redis, config, gateway) = run;

        var visitorId = VisitorId.New();
        for (var i = 1; i <= 5; i++)
        {
            using var response = await gateway.Client.SendAsync(Page(gateway.PublicBase, $"/page{i}", $"able_vid={visitorId}"));
            Assert.Equal(visitorId, VisitorCookie(response));
        }

        await ProfileAsync(redis, config, visitorId, p => p.LastTouch!.Url!.EndsWith("/page5", StringComparison.Ordinal));
        // The first touch always stays (it is the landing); the list keeps the newest of the later ones.
        Assert.Equal(["/page5", "/page4", "/page1"], (await TouchesAsync(redis, config, visitorId)).Select(t => new Uri(t.Url!).AbsolutePath));
    }

    public static TheoryData<string, string?, string?> Refusals => new()
    {
        { "global privacy control", "1", null },
        { "denied consent cookie", null, "cookie_consent=denied" },
        { "denied consent cookie, other case", null, "cookie_consent=DENIED; _ga=GA1.1.1.2" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Refused_consent_serves_the_page_without_cookie_or_capture(string why, string? gpc, string? cookie)
    {
        await using var run = await GatewayWithOrigin.StartAsync(config =>
        {
            config.Funnel["Consent"] = new JsonObject { ["CookieName"] = "cookie_consent", ["DeniedValues"] = new JsonArray("denied", "no") };
        });
        var (origin, redis, config, gateway) = run;

        using var request = Page(gateway.PublicBase, Landing, cookie);
        if (gpc is not null)
        {
            request.Headers.Add("Sec-GPC", gpc);
        }

        using var response = await gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(RecordingOrigin.Html, await response.Content.ReadAsStringAsync());
        Assert.Empty(SetCookies(response));
        await AssertOnlySentinelStoredAsync(gateway, redis, config, why);
    }

    public static TheoryData<string> NotNavigations => new() { "crawler", "link preview", "prefetch", "static asset", "POST", "HEAD", "json fetch", "script fetch" };

    [Theory]
    [MemberData(nameof(NotNavigations))]
    public async Task Requests_that_are_not_page_navigations_are_proxied_but_not_captured(string kind)
    {
        await using var run = await GatewayWithOrigin.StartAsync();
        var (origin, redis, config, gateway) = run;

        var path = kind == "static asset" ? "/assets/app.js?ttclid=E.C.P.x" : "/landing?ttclid=E.C.P.x";
        using var request = Page(gateway.PublicBase, path);
        switch (kind)
        {
            case "crawler":
                request.Headers.Remove("User-Agent");
                request.Headers.TryAddWithoutValidation("User-Agent", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)");
                break;
            case "link preview":
                request.Headers.Remove("User-Agent");
                request.Headers.TryAddWithoutValidation("User-Agent", "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)");
                break;
            case "prefetch":
                request.Headers.Add("Sec-Purpose", "prefetch");
                break;
            case "HEAD":
                request.Method = HttpMethod.Head;
                break;
            case "POST":
                request.Method = HttpMethod.Post;
                request.Content = new StringContent("a=1");
                break;
            case "json fetch":
                request.Headers.Accept.Clear();
                request.Headers.Accept.ParseAdd("application/json");
                break;
            case "script fetch":
                request.Headers.Add("Sec-Fetch-Mode", "cors");
                break;
        }

        using var response = await gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(origin.Requests);
        Assert.Empty(SetCookies(response));
        await AssertOnlySentinelStoredAsync(gateway, redis, config, kind);
    }

    public static TheoryData<string, string, string?> BadInputs => new()
    {
        { "malformed visitor cookie", "/landing?utm_source=tiktok", "able_vid=not-a-visitor-id!!; _ga=junk" },
        { "visitor cookie one char short", "/landing", "able_vid=AAAAAAAAAAAAAAAAAAAAA" },
        { "over-long ttclid", "/landing?ttclid=" + new string('Q', 5000), null },
        { "over-long utm", "/landing?utm_source=" + new string('Q', 600) + "&ttclid=E.C.P.ok", null },
        { "control character", "/landing?ttclid=QQQ%01QQQ&utm_source=a%0Ab", null },
        { "invalid UTF-8", "/landing?ttclid=%FF%FEQQQ&utm_campaign=%C3%28", null },
        { "percent garbage", "/landing?ttclid=%%%QQQ%G1&utm_source=%", null },
        { "junk cookies", "/landing", "_ga=GA1.1.QQQ.1700000000; _ttp=" + new string('Q', 400) + "; able_utm=QQQ-not-base64!" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_input_is_dropped_not_stored_raw_and_never_a_500(string why, string pathAndQuery, string? cookie)
    {
        await using var run = await GatewayWithOrigin.StartAsync();
        var (origin, redis, config, gateway) = run;

        using var response = await gateway.Client.SendAsync(Page(gateway.PublicBase, pathAndQuery, cookie));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var visitorId = VisitorCookie(response);
        Assert.True(visitorId is not null && VisitorId.IsWellFormed(visitorId), why);

        var fields = await VisitorAsync(redis, config, visitorId);
        Assert.NotEmpty(fields);
        var dump = await DumpAsync(redis, config);
        Assert.DoesNotContain("not-a-visitor-id", dump, StringComparison.Ordinal);
        Assert.DoesNotContain(new string('Q', 200), dump, StringComparison.Ordinal);
        Assert.DoesNotContain("\u0001", dump, StringComparison.Ordinal);
        Assert.DoesNotContain("\n\u0000", dump, StringComparison.Ordinal);
        Assert.DoesNotContain("\uFFFD", dump, StringComparison.Ordinal);
        var touch = VisitorTouch.FromJson(fields[VisitorFields.FirstTouch])!;
        Assert.True(touch.Ttclid is null or "E.C.P.ok", why);
        Assert.Null(touch.GaClientId);
        Assert.Null(touch.Ttp);
    }

    [Fact]
    public async Task Bad_values_are_counted()
    {
        await using var run = await GatewayWithOrigin.StartAsync();
        var (origin, redis, config, gateway) = run;

        using (await gateway.Client.SendAsync(Page(gateway.PublicBase, "/landing?ttclid=" + new string('Q', 600) + "&utm_source=a%01b")))
        {
        }

        var metrics = await gateway.Client.GetStringAsync(new Uri(gateway.ManagementBase, "/metrics"));
        Assert.Contains("able_capture_dropped_total{reason=\"value_too_long\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("able_capture_dropped_total{reason=\"value_control_character\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Booking_confirmation_links_the_invitee_and_the_email_hash_and_stores_no_raw_contact_data()
    {
        await using var run = await GatewayWithOrigin.StartAsync(config =>
        {
            config.Funnel["RetentionDays"] = 45;
        });
        var (origin, redis, config, gateway) = run;

        var visitorId = VisitorId.New();
        const string confirmation = "/thanks?assigned_to=Sam+Seller&event_type_uuid=ET-1&event_type_name=Intro&event_start_time=2026-12-01T10%3A00%3A00Z" +
            "&invitee_uuid=INV-0b7f-4e1a&invitee_full_name=Jane+Doe&invitee_email=Jane.Doe%40Example.COM&text_reminder_number=%2B15555550123" +
            "&answer_1=call+me+at+5555550123&utm_source=tiktok";
        using (var response = await gateway.Client.SendAsync(Page(gateway.PublicBase, confirmation, $"able_vid={visitorId}")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(visitorId, VisitorCookie(response));
        }

        var emailHash = Able.Schema.Identity.ContactHashing.Sha256Hex("jane.doe@example.com");
        // The writer pipelines the capture script, then the email hash and the links; wait for the last of them.
        var keys = new RedisKeys(config.KeyPrefix);
        var database = redis.Multiplexer.GetDatabase();
        Assert.True(await Eventually.TrueAsync(() => database.KeyExistsAsync(keys.InviteeLink("INV-0b7f-4e1a")), TimeSpan.FromSeconds(10)));
        var fields = await VisitorAsync(redis, config, visitorId, f => f.ContainsKey(VisitorFields.EmailHashes));
        Assert.Equal("INV-0b7f-4e1a", fields[VisitorFields.InviteeUuid]);
        Assert.Equal(emailHash, fields[VisitorFields.EmailHashes]);
        var touch = (await ProfileAsync(redis, config, visitorId)).LastTouch!;
        Assert.Equal("confirmation", touch.Kind);
        Assert.EndsWith("/thanks?assigned_to=Sam+Seller&event_type_uuid=ET-1&event_type_name=Intro&event_start_time=2026-12-01T10%3A00%3A00Z&utm_source=tiktok", touch.Url, StringComparison.Ordinal);

        Assert.Equal(visitorId, (string?)await database.StringGetAsync(keys.InviteeLink("INV-0b7f-4e1a")));
        Assert.Equal(visitorId, (string?)await database.StringGetAsync(keys.EmailLink(emailHash)));
        Assert.InRange((await database.KeyTimeToLiveAsync(keys.EmailLink(emailHash)))!.Value, TimeSpan.FromDays(44.9), TimeSpan.FromDays(45));
        Assert.InRange((await database.KeyTimeToLiveAsync(keys.InviteeLink("INV-0b7f-4e1a")))!.Value, TimeSpan.FromDays(44.9), TimeSpan.FromDays(45));

        // A second confirmation for the same email does not repeat the hash.
        using (await gateway.Client.SendAsync(Page(gateway.PublicBase, "/thanks?invitee_uuid=INV-2&invitee_email=jane.doe%40example.com", $"able_vid={visitorId}")))
        {
        }

        fields = await VisitorAsync(redis, config, visitorId, f => f[VisitorFields.InviteeUuid] == "INV-2");
        Assert.Equal(emailHash, fields[VisitorFields.EmailHashes]);

        var dump = await DumpAsync(redis, config);
        foreach (var raw in new[] { "Jane", "jane", "Example", "%40", "@", "5555550123", "Doe" })
        {
            Assert.DoesNotContain(raw, dump, StringComparison.Ordinal);
        }
    }

    public static TheoryData<string, string, string> ForwardedFor => new()
    {
        { "untrusted peer: header ignored", "", "127.0.0.1" },
        { "trusted peer: client from the header", "127.0.0.0/8", "203.0.113.9" },
        { "trusted hops skipped from the right", "127.0.0.0/8,10.0.0.0/8", "203.0.113.9" },
    };

    [Theory]
    [MemberData(nameof(ForwardedFor))]
    public async Task Client_ip_comes_from_X_Forwarded_For_only_through_trusted_proxies(string why, string trusted, string expectedIp)
    {
        await using var run = await GatewayWithOrigin.StartAsync(config =>
        {
            config.Able["Gateway"]!["TrustedProxies"] = new JsonArray([.. trusted.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(c => (JsonNode)c)]);
        });
        var (origin, redis, config, gateway) = run;

        using var request = Page(gateway.PublicBase, "/landing");
        request.Headers.Add("X-Forwarded-For", "198.51.100.1, 203.0.113.9, 10.1.2.3");
        if (!trusted.Contains("10.", StringComparison.Ordinal))
        {
            request.Headers.Remove("X-Forwarded-For");
            request.Headers.Add("X-Forwarded-For", "198.51.100.1, 203.0.113.9");
        }

        using var response = await gateway.Client.SendAsync(request);
        var fields = await VisitorAsync(redis, config, VisitorCookie(response)!);
        Assert.True(expectedIp == fields[VisitorFields.Ip], $"{why}: got {fields[VisitorFields.Ip]}");
    }

    [Fact]
    public async Task Redis_down_pages_keep_answering_drops_are_counted_and_capture_resumes_by_itself()
    {
        await using var origin = await RecordingOrigin.StartAsync();
        await using var redisProcess = await RedisServerProcess.StartAsync();
        using var config = TestConfig.Create(redisProcess.ConnectionString, origin.Url);
        config.Able["Gateway"]!["Capture"] = new JsonObject { ["QueueCapacity"] = 5, ["BatchSize"] = 2 };
        await using var gateway = await RunningService.StartGatewayAsync(config);
        using var inspect = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"{redisProcess.ConnectionString},abortConnect=false");
        var keys = new RedisKeys(config.KeyPrefix);

        using (var before = await gateway.Client.SendAsync(Page(gateway.PublicBase, "/landing?ttclid=E.C.P.before")))
        {
            var id = VisitorCookie(before)!;
            Assert.True(await Eventually.TrueAsync(() => inspect.GetDatabase().KeyExistsAsync(keys.Visitor(id)), TimeSpan.FromSeconds(10)));
        }

        await redisProcess.StopAsync();
        for (var i = 0; i < 30; i++)
        {
            using var during = await gateway.Client.SendAsync(Page(gateway.PublicBase, $"/landing?ttclid=E.C.P.during{i}"));
            Assert.Equal(HttpStatusCode.OK, during.StatusCode);
            Assert.Equal(RecordingOrigin.Html, await during.Content.ReadAsStringAsync());
        }

        var metricsUri = new Uri(gateway.ManagementBase, "/metrics");
        var metrics = await gateway.Client.GetStringAsync(metricsUri);
        Assert.Matches("able_capture_dropped_total\\{reason=\"queue_full\"\\} [1-9]", metrics);
        Assert.True(await Eventually.TrueAsync(
            async () => (await gateway.Client.GetStringAsync(metricsUri)).Contains("able_loop_up{loop=\"capture-writer\"} 0", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20)), "the capture writer's outage does not show in able_loop_up");

        await redisProcess.StartAgainAsync();
        var afterId = VisitorId.New();
        var resumed = await Eventually.TrueAsync(async () =>
        {
            using (await gateway.Client.SendAsync(Page(gateway.PublicBase, "/landing?ttclid=E.C.P.after", $"able_vid={afterId}")))
            {
            }

            try
            {
                return await inspect.GetDatabase().KeyExistsAsync(keys.Visitor(afterId));
            }
            catch (StackExchange.Redis.RedisException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(40));
        Assert.True(resumed, "captures did not resume after Redis came back");
        Assert.True(await Eventually.TrueAsync(
            async () => (await gateway.Client.GetStringAsync(metricsUri)).Contains("able_loop_up{loop=\"capture-writer\"} 1", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20)), "the capture writer's recovery does not show in able_loop_up");
        Assert.Contains("able_loop_outages_total{loop=\"capture-writer\"} 1", await gateway.Client.GetStringAsync(metricsUri), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_frozen_redis_neither_stops_the_gateway_nor_its_pages_and_the_captures_land_afterwards()
    {
        await using var origin = await RecordingOrigin.StartAsync();
        await using var redisProcess = await RedisServerProcess.StartAsync();
        // Short command timeouts, so a freeze of a few seconds surfaces as timeouts in the writer.
        using var config = TestConfig.Create($"{redisProcess.ConnectionString},asyncTimeout=300,syncTimeout=300", origin.Url);
        await using var gateway = await RunningService.StartGatewayAsync(config);
        using var inspect = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"{redisProcess.ConnectionString},abortConnect=false");
        var keys = new RedisKeys(config.KeyPrefix);
        var lifetime = gateway.Services.GetRequiredService<IHostApplicationLifetime>();

        redisProcess.Pause();
        var during = new List<string>();
        try
        {
            for (var i = 0; i < 20; i++)
            {
                using var page = await gateway.Client.SendAsync(Page(gateway.PublicBase, $"/landing?ttclid=E.C.P.frozen{i}"));
                Assert.Equal(HttpStatusCode.OK, page.StatusCode);
                during.Add(VisitorCookie(page)!);
                await Task.Delay(200);
            }
        }
        finally
        {
            redisProcess.Resume();
        }

        foreach (var id in during)
        {
            Assert.True(await Eventually.TrueAsync(() => inspect.GetDatabase().KeyExistsAsync(keys.Visitor(id)), TimeSpan.FromSeconds(30)), $"visitor {id} captured during the freeze never landed");
        }

        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested, "the gateway stopped because Redis froze");
        Assert.Contains("able_loop_outages_total{loop=\"capture-writer\"} 1", await gateway.Client.GetStringAsync(new Uri(gateway.ManagementBase, "/metrics")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_batch_redis_rejects_is_dropped_and_counted_and_later_captures_still_land()
    {
        await using var run = await GatewayWithOrigin.StartAsync(config =>
            config.Able["Gateway"]!["Capture"] = new JsonObject { ["BatchSize"] = 1 });
        var (_, redis, config, gateway) = run;
        var keys = new RedisKeys(config.KeyPrefix);
        var poisoned = VisitorId.New();
        // A key of the wrong type where the visitor hash goes: HSET answers WRONGTYPE.
        await redis.Multiplexer.GetDatabase().StringSetAsync(keys.Visitor(poisoned), "not a hash");

        using (var response = await gateway.Client.SendAsync(Page(gateway.PublicBase, "/landing", $"able_vid={poisoned}")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var next = VisitorId.New();
        using (await gateway.Client.SendAsync(Page(gateway.PublicBase, "/landing", $"able_vid={next}")))
        {
        }

        Assert.NotEmpty(await VisitorAsync(redis, config, next));
        var metrics = await gateway.Client.GetStringAsync(new Uri(gateway.ManagementBase, "/metrics"));
        Assert.Contains("able_capture_dropped_total{reason=\"redis_error\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Shutdown_flushes_queued_captures_to_redis()
    {
        // 50 visitors from one address: more than the default new-visitor budget, which is not what this is about.
        await using var run = await GatewayWithOrigin.StartAsync(config =>
            config.Able["Gateway"]!["Capture"] = new JsonObject { ["Budget"] = new JsonObject { ["NewVisitorsPerIpPerMinute"] = 100 } });
        var (origin, redis, config, gateway) = run;

        var visitors = Enumerable.Range(0, 50).Select(_ => VisitorId.New()).ToList();
        foreach (var visitor in visitors)
        {
            using var response = await gateway.Client.SendAsync(Page(gateway.PublicBase, "/landing?ttclid=E.C.P.bye", $"able_vid={visitor}"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await gateway.App.StopAsync();

        var database = redis.Multiplexer.GetDatabase();
        var keys = new RedisKeys(config.KeyPrefix);
        foreach (var visitor in visitors)
        {
            Assert.True(await database.KeyExistsAsync(keys.Visitor(visitor)), $"visitor {visitor} was not flushed before shutdown ended");
        }
    }

    [Fact]
    public async Task Shutdown_with_redis_down_ends_and_counts_what_it_could_not_write()
    {
        await using var origin = await RecordingOrigin.StartAsync();
        await using var redisProcess = await RedisServerProcess.StartAsync();
        using var config = TestConfig.Create(redisProcess.ConnectionString, origin.Url);
        config.Able["Gateway"]!["Capture"] = new JsonObject { ["ShutdownFlushSeconds"] = 1 };
        await using var gateway = await RunningService.StartGatewayAsync(config);

        await redisProcess.StopAsync();
        for (var i = 0; i < 5; i++)
        {
            using var response = await gateway.Client.SendAsync(Page(gateway.PublicBase, $"/landing?n={i}"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // The host's own shutdown limit is 30 s; the flush gives up after 1 s, so this returns.
        await gateway.App.StopAsync();

        var registry = (Prometheus.CollectorRegistry)gateway.Services.GetService(typeof(Prometheus.CollectorRegistry))!;
        using var exported = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(exported);
        Assert.Contains("able_capture_dropped_total{reason=\"shutdown\"} 5", System.Text.Encoding.UTF8.GetString(exported.ToArray()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Capture_metrics_are_exported_on_the_management_port()
    {
        await using var run = await GatewayWithOrigin.StartAsync();
        var (origin, redis, config, gateway) = run;

        using (var response = await gateway.Client.SendAsync(Page(gateway.PublicBase, Landing, "_ga=GA1.2.11.22")))
        {
            await VisitorAsync(redis, config, VisitorCookie(response)!);
        }

        var text = "";
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            text = await gateway.Client.GetStringAsync(new Uri(gateway.ManagementBase, "/metrics"));
            return text.Contains("able_capture_total{funnel=\"acme\",kind=\"ga\"} 1", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(10)), text);
        foreach (var kind in new[] { "pageview", "ttclid", "utm" })
        {
            Assert.Contains($"able_capture_total{{funnel=\"acme\",kind=\"{kind}\"}} 1", text, StringComparison.Ordinal);
        }

        Assert.Contains("able_gateway_requests_total{funnel=\"acme\",status=\"200\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("able_gateway_origin_seconds_count{funnel=\"acme\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE able_capture_queue_depth gauge", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Management_port_shows_a_captured_visitor()
    {
        await using var run = await GatewayWithOrigin.StartAsync();
        var (_, redis, config, gateway) = run;
        using var response = await gateway.Client.SendAsync(Page(gateway.PublicBase, "/?ttclid=test123&utm_source=tiktok"));
        var visitorId = VisitorCookie(response)!;
        await VisitorAsync(redis, config, visitorId);

        var json = System.Text.Json.Nodes.JsonNode.Parse(await gateway.Client.GetStringAsync(new Uri(gateway.ManagementBase, $"/visitors/{visitorId}")))!;
        Assert.Equal(new RedisKeys(config.KeyPrefix).Visitor(visitorId).ToString(), (string?)json["key"]);
        Assert.Equal("test123", VisitorTouch.FromJson((string?)json["fields"]![VisitorFields.FirstTouch])!.Ttclid);
        Assert.Single(json["touches"]!.AsArray());

        using var unknown = await gateway.Client.GetAsync(new Uri(gateway.ManagementBase, $"/visitors/{VisitorId.New()}"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var malformed = await gateway.Client.GetAsync(new Uri(gateway.ManagementBase, "/visitors/not-an-id"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        using var publicPort = await gateway.Client.GetAsync(new Uri(gateway.PublicBase, $"/visitors/{visitorId}"));
        Assert.DoesNotContain("test123", await publicPort.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
