using System.Net;
using Able.Attribution.Receipts;
using Microsoft.Extensions.DependencyInjection;

namespace Able.FunctionalTests.Console;

/// <summary>
/// The console's doors, over plain HTTP against the real attribution service: login, sessions in Redis shared by
/// replicas, the login redirect, antiforgery on every form, the headers, and the console off without a token.
/// </summary>
public sealed class ConsoleAccessTests
{
    /// <summary>Every page, and every form with the fields it needs.</summary>
    public static readonly string[] Pages =
    [
        "/console", "/console?days=30", "/console/campaigns", "/console/campaigns.csv", "/console/conversions", "/console/conversions/acme/schedule%3Ax",
        "/console/journey", "/console/deadletters", "/console/erase",
    ];

    public static readonly string[] Forms =
    [
        "/console/logout", "/console/journey", "/console/deadletters/replay", "/console/deadletters/replay-all", "/console/deadletters/discard",
        "/console/erase/confirm", "/console/erase",
    ];

    [Fact]
    public async Task Without_a_session_every_page_and_form_sends_the_browser_to_the_login_page_with_where_it_was()
    {
        await using var attribution = await StartAsync();
        using var browser = ConsoleClient.For(attribution);

        foreach (var page in Pages)
        {
            using var response = await browser.Client.GetAsync(page);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/console/login?returnUrl=" + Uri.EscapeDataString(Uri.UnescapeDataString(page)), response.Headers.Location!.OriginalString);
        }

        foreach (var form in Forms)
        {
            using var response = await browser.PostAsync(form, ("id", "1-0"), ("contact", "jane@example.com"));
            Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
            Assert.StartsWith("/console/login?returnUrl=", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }

        // A cookie that is not one the key ring protected is no session either.
        browser.Cookies.Add(new Uri(attribution.ManagementBase, "/console"), new Cookie("able_console", "forged-value", "/console"));
        using var forged = await browser.Client.GetAsync("/console");
        Assert.Equal(HttpStatusCode.Redirect, forged.StatusCode);
    }

    [Fact]
    public async Task The_admin_token_logs_in_to_a_session_that_lasts_until_logout_and_its_cookie_is_httponly_strict_and_scoped_to_the_console()
    {
        await using var attribution = await StartAsync();
        using var browser = ConsoleClient.For(attribution);

        using var login = await browser.LoginAsync(returnUrl: "/console/conversions?matched=no");
        Assert.Equal(HttpStatusCode.SeeOther, login.StatusCode);
        Assert.Equal("/console/conversions?matched=no", login.Headers.Location!.OriginalString);
        var cookie = Assert.Single(login.Headers.GetValues("Set-Cookie"), c => c.StartsWith("able_console=", StringComparison.Ordinal));
        Assert.Contains("path=/console", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase); // plain HTTP here: Secure only over HTTPS

        using (var page = await browser.Client.GetAsync("/console/journey"))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
            Assert.Equal("DENY", Assert.Single(page.Headers.GetValues("X-Frame-Options")));
            Assert.Equal("no-referrer", Assert.Single(page.Headers.GetValues("Referrer-Policy")));
            Assert.Contains("default-src 'self'", Assert.Single(page.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
            Assert.Contains("no-store", page.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("<script>", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Logout deletes the session itself: the old cookie, sent again, opens nothing.
        var oldCookie = browser.SessionCookie!;
        var csrf = await browser.CsrfAsync("/console/journey");
        using (var logout = await browser.PostAsync("/console/logout", ("csrf", csrf)))
        {
            Assert.Equal(HttpStatusCode.SeeOther, logout.StatusCode);
        }

        browser.Cookies.Add(new Uri(attribution.ManagementBase, "/console"), new Cookie("able_console", oldCookie, "/console"));
        using var after = await browser.Client.GetAsync("/console/journey");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
    }

    [Fact]
    public async Task A_login_on_one_replica_is_a_session_on_another_sharing_the_redis()
    {
        var redis = await RedisTestServer.GetAsync();
        using var config = Configure(TestConfig.Create(redis.ConnectionString));
        await using var first = await RunningService.StartAttributionAsync(config);
        using var secondConfig = Configure(TestConfig.Create(redis.ConnectionString));
        secondConfig.Able["Redis"]!["KeyPrefix"] = config.KeyPrefix;
        await using var second = await RunningService.StartAttributionAsync(secondConfig);

        using var browser = ConsoleClient.For(first);
        using var login = await browser.LoginAsync();
        Assert.Equal(HttpStatusCode.SeeOther, login.StatusCode);
        Assert.Equal(1, await redis.Multiplexer.GetDatabase().ListLengthAsync(new Able.Schema.Redis.RedisKeys(config.KeyPrefix).DataProtectionKeys));

        // The same cookie, and a form token from the first replica's page, on the second replica.
        using var other = ConsoleClient.For(second);
        other.Cookies.Add(new Uri(second.ManagementBase, "/console"), browser.Cookies.GetCookies(new Uri(first.ManagementBase, "/console")));
        using var page = await other.Client.GetAsync("/console/journey");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var csrf = await browser.CsrfAsync("/console/journey");
        foreach (Cookie cookie in browser.Cookies.GetCookies(new Uri(first.ManagementBase, "/console")))
        {
            other.Cookies.Add(new Uri(second.ManagementBase, "/console"), new Cookie(cookie.Name, cookie.Value, cookie.Path));
        }

        using var logout = await other.PostAsync("/console/logout", ("csrf", csrf));
        Assert.Equal(HttpStatusCode.SeeOther, logout.StatusCode);
    }

    [Fact]
    public async Task A_form_posted_with_the_session_but_without_a_valid_antiforgery_token_is_refused_with_400()
    {
        await using var attribution = await StartAsync();
        using var browser = ConsoleClient.For(attribution);
        using (var login = await browser.LoginAsync())
        {
            Assert.Equal(HttpStatusCode.SeeOther, login.StatusCode);
        }

        foreach (var form in Forms)
        {
            using var missing = await browser.PostAsync(form, ("id", "1-0"), ("contact", "jane@example.com"), ("kind", "email"), ("hash", new string('a', 64)));
            Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
            Assert.Contains("security token", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            using var wrong = await browser.PostAsync(form, ("csrf", "CfDJ8-not-a-token"), ("id", "1-0"));
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        }

        // Not a form at all: 400 too, never a 500.
        using var json = await browser.Client.PostAsync("/console/erase", new StringContent("{\"contact\":\"x\"}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);

        // The session is still there: the refusal was the token's.
        using var page = await browser.Client.GetAsync("/console/journey");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public async Task Bad_input_on_every_page_and_form_is_a_clear_4xx_page_never_a_500()
    {
        await using var attribution = await StartAsync();
        using var browser = ConsoleClient.For(attribution);
        using (await browser.LoginAsync())
        {
        }

        foreach (var (path, status) in new[]
        {
            ("/console?days=2", HttpStatusCode.BadRequest), ("/console?funnel=nope", HttpStatusCode.NotFound),
            ("/console/campaigns?sort=drop%20table", HttpStatusCode.BadRequest), ("/console/campaigns?model=middle", HttpStatusCode.BadRequest),
            ("/console/campaigns.csv?dir=sideways", HttpStatusCode.BadRequest), ("/console/conversions?status=%3Cscript%3E", HttpStatusCode.BadRequest),
            ("/console/conversions?cursor=not-a-cursor", HttpStatusCode.BadRequest), ("/console/conversions?range=365", HttpStatusCode.BadRequest),
            ("/console/conversions/nope/x", HttpStatusCode.NotFound), ("/console/conversions/acme/missing", HttpStatusCode.NotFound),
            ("/console/deadletters?cursor=garbage", HttpStatusCode.BadRequest), ("/console/deadletters?funnel=nope", HttpStatusCode.BadRequest),
        })
        {
            using var page = await browser.Client.GetAsync(path);
            Assert.True(status == page.StatusCode, $"{path}: {(int)page.StatusCode}");
            Assert.Contains("class=\"problem\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        foreach (var (path, fields) in new (string, (string, string)[])[]
        {
            ("/console/journey", [("contact", "not an email or a phone")]), ("/console/journey", []),
            ("/console/erase/confirm", [("contact", "   ")]), ("/console/erase", [("kind", "email"), ("hash", "not-a-hash")]),
            ("/console/erase", [("kind", "name"), ("hash", new string('a', 64))]), ("/console/deadletters/replay", []),
            ("/console/deadletters/discard", [("id", new string('9', 100))]), ("/console/deadletters/replay-all", [("funnel", "nope")]),
        })
        {
            var csrf = await browser.CsrfAsync("/console/journey");
            using var response = await browser.PostAsync(path, [("csrf", csrf), .. fields]);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}: {(int)response.StatusCode}");
        }

        // A replay or discard of a dead letter that is not there says so.
        var token = await browser.CsrfAsync("/console/deadletters");
        using var replay = await browser.PostAsync("/console/deadletters/replay", ("csrf", token), ("id", "1-0"));
        Assert.Equal("/console/deadletters?notice=not-found", replay.Headers.Location!.OriginalString);
        using var discard = await browser.PostAsync("/console/deadletters/discard", ("csrf", token), ("id", "not-a-stream-id"));
        Assert.Equal("/console/deadletters?notice=not-found", discard.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_and_counted_until_the_address_is_refused_even_with_the_token_and_return_urls_stay_in_the_console()
    {
        await using var attribution = await StartAsync(config => config.Able["Admin"]!["FailedAttemptsPerMinute"] = 2);
        foreach (var offSite in new[] { "https://evil.example/", "//evil.example/console", "/\\evil.example", "/consolex", "/console/../metrics" }) // URL, not a file path
        {
            using var browser = ConsoleClient.For(attribution);
            using var offSiteLogin = await browser.LoginAsync(returnUrl: offSite);
            Assert.Equal(HttpStatusCode.SeeOther, offSiteLogin.StatusCode);
            Assert.Equal("/console", offSiteLogin.Headers.Location!.OriginalString);
        }

        using var fresh = ConsoleClient.For(attribution);
        using (var wrong = await fresh.LoginAsync("not-the-admin-token-at-all"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            Assert.Null(fresh.SessionCookie);
        }

        using (var wrongAgain = await fresh.LoginAsync("still-not-the-admin-token"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrongAgain.StatusCode);
        }

        using var refused = await fresh.LoginAsync();
        Assert.Equal((HttpStatusCode)429, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Null(fresh.SessionCookie);
    }

    [Fact]
    public async Task Without_an_admin_token_the_console_says_it_is_off_and_it_is_never_on_the_public_port()
    {
        var redis = await RedisTestServer.GetAsync();
        using var config = TestConfig.Create(redis.ConnectionString);
        await using var off = await RunningService.StartAttributionAsync(config);
        using (var response = await off.Client.GetAsync(new Uri(off.ManagementBase, "/console/login")))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Contains("The console is off", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // A service whose console is off writes no cookie key ring.
        Assert.False(await redis.Multiplexer.GetDatabase().KeyExistsAsync(new Able.Schema.Redis.RedisKeys(config.KeyPrefix).DataProtectionKeys));

        await using var on = await StartAsync();
        using var publicPort = await on.Client.GetAsync(new Uri(on.PublicBase, "/console/login"));
        Assert.Equal(HttpStatusCode.NotFound, publicPort.StatusCode);
        Assert.DoesNotContain("Admin token", await publicPort.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Text_from_outside_in_a_receipt_is_shown_as_text_never_as_markup()
    {
        await using var attribution = await StartAsync();
        var receipts = attribution.Services.GetRequiredService<ReceiptStore>();
        const string hostile = "<img src=x onerror=alert(1)>\"'&";
        await receipts.SaveAsync(new MatchReceipt
        {
            Id = "schedule:hostile",
            Mark = "acme",
            Source = "calendly",
            SourceEvent = "invitee.created",
            Status = ReceiptStatus.DeadLettered,
            Reason = hostile,
            TikTokEvent = "Schedule",
            TikTokMessage = hostile,
            Payload = new System.Text.Json.Nodes.JsonObject { ["page"] = new System.Text.Json.Nodes.JsonObject { ["url"] = "https://acme.example/?utm_campaign=" + hostile } },
            UpdatedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        }, TimeSpan.FromHours(1));
        // Its GA4 side, stored apart, is shown with it.
        await receipts.SaveGa4Async("acme", "schedule:hostile", new Able.Attribution.Ga4.Ga4Outcome
        {
            Status = Able.Attribution.Ga4.Ga4Status.DeadLettered,
            Reason = "ga4 " + hostile,
            EventName = "generate_lead",
            UpdatedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        }, TimeSpan.FromHours(1));
        using var browser = ConsoleClient.For(attribution);
        using (await browser.LoginAsync())
        {
        }

        using var page = await browser.Client.GetAsync("/console/conversions/acme/schedule%3Ahostile");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", html, StringComparison.Ordinal);
        Assert.Contains("id=\"ga4-status\">dead_lettered<", html, StringComparison.Ordinal);
        Assert.Contains("id=\"ga4-reason\">ga4 &lt;img", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redis_away_is_a_503_page_on_the_session_pages_and_the_session_works_again_when_it_returns()
    {
        // Append-only with every write synced, stopped with SIGTERM: the session is still there when Redis returns.
        await using var redis = await RedisServerProcess.StartAsync("--appendonly", "yes", "--appendfsync", "always");
        using var config = Configure(TestConfig.Create(redis.ConnectionString));
        await using var attribution = await RunningService.StartAttributionAsync(config);
        using var browser = ConsoleClient.For(attribution);
        using (var login = await browser.LoginAsync())
        {
            Assert.Equal(HttpStatusCode.SeeOther, login.StatusCode);
        }

        await redis.TerminateAsync();
        foreach (var path in new[] { "/console/journey", "/console", "/console/conversions" })
        {
            using var down = await browser.Client.GetAsync(path);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
            Assert.NotNull(down.Headers.RetryAfter);
            Assert.Contains("Redis", await down.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await redis.StartAgainAsync();
        var back = await Eventually.TrueAsync(async () =>
        {
            using var page = await browser.Client.GetAsync("/console/journey");
            return page.StatusCode == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(30));
        Assert.True(back, "the session page did not answer 200 again after Redis returned");
    }

    private static async Task<RunningService> StartAsync(Action<TestConfig>? configure = null)
    {
        var redis = await RedisTestServer.GetAsync();
        var config = Configure(TestConfig.Create(redis.ConnectionString));
        configure?.Invoke(config);
        return await RunningService.StartAttributionAsync(config, ownsConfig: true);
    }

    private static TestConfig Configure(TestConfig config)
    {
        config.Able["Admin"] = new System.Text.Json.Nodes.JsonObject { ["Token"] = ConsoleClient.Token, ["ReportCacheSeconds"] = 0 };
        return config;
    }
}
