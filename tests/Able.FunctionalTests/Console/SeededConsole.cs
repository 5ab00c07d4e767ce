using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Able.Attribution.Receipts;
using Able.Attribution.Signatures;
using Able.FunctionalTests.Capture;
using Able.Schema.Redis;
using Microsoft.Extensions.DependencyInjection;

using static Able.FunctionalTests.Worker.GatewayTraffic;

namespace Able.FunctionalTests.Console;

/// <summary>
/// The console over data made the way production makes it: ad clicks and a newsletter visit through the real gateway, signed Calendly
/// and Stripe webhooks through it to the real attribution service, its worker delivering to a fake TikTok that refuses
/// the USD purchase (a dead letter). Seeded once for the browser tests of one class:
/// <list type="bullet">
/// <item>Six visitors who do not book: three more clicks on spring_sale/video_a, two on video_c, one from a newsletter
/// (no TikTok click).</item>
/// <item>Jane: clicks an ad (campaign spring_sale, content video_a), books a free call carrying her visitor id (Schedule,
/// sent), then pays EUR 1,490 through Stripe, found by her email (Purchase, sent).</item>
/// <item>Sam: clicks an ad (spring_sale, video_b), books a paid call (Purchase USD 149), which TikTok refuses: dead letter.</item>
/// <item>A walk-in books through a plain Calendly link, no visitor (Schedule, not matched, sent); so does a person the
/// erasure test erases.</item>
/// </list>
/// </summary>
public sealed partial class SeededConsole : IAsyncLifetime
{
    public const string JaneEmail = "Jane.Doe@Example.com";
    public const string WalkInEmail = "walk.in@example.net";
    public const string JanePurchaseId = "purchase:stripe:pi_3QcS0ZLkdIwHu7ix1AbCdEfG";
    public const string WalkInInvitee = "6c6c6c6c-6666-4666-8666-111111111111";
    public const string ErasedEmail = "erase.me@example.org";
    public const string ErasedInvitee = "77777777-eeee-4eee-8eee-777777777777";
    private const string PhoneUserAgent = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    private GatewayWithOrigin? env;

    public FakeTikTok TikTok { get; private set; } = null!;

    public RunningService Attribution { get; private set; } = null!;

    public RedisKeys Keys { get; private set; } = null!;

    public ReceiptStore Receipts => Attribution.Services.GetRequiredService<ReceiptStore>();

    /// <summary>While true, TikTok refuses every USD event (40002); the dead-letter test turns it off before replaying.</summary>
    public bool RefuseUsd { get; set; } = true;

    public async Task InitializeAsync()
    {
        TikTok = await FakeTikTok.StartAsync();
        TikTok.Responder = events => RefuseUsd && events.Any(e => (string?)e["properties"]?["currency"] == "USD")
            ? FakeReply.InvalidEvent((string)events.First(e => (string?)e["properties"]?["currency"] == "USD")["event_id"]!)
            : FakeReply.Ok;
        env = await GatewayWithOrigin.StartAsync(Configure);
        Attribution = await RunningService.StartAttributionAsync(env.Config);
        Keys = new RedisKeys(env.Config.KeyPrefix);

        // Visitors who did not book: more clicks on the spring ads, a second creative, and a newsletter reader.
        foreach (var (ttclid, content) in new[] { ("E.C.P.a1", "video_a"), ("E.C.P.a2", "video_a"), ("E.C.P.a3", "video_a"), ("E.C.P.c1", "video_c"), ("E.C.P.c2", "video_c") })
        {
            await ClickAsync(ttclid, "spring_sale", content);
        }

        await ClickAsync(ttclid: null, "march_digest", "header_link", source: "newsletter");
        var jane = await ClickAsync("E.C.P.jane", "spring_sale", "video_a");
        await WebhookAsync("calendly", Today(Fixtures.Read("calendly/invitee-created-free.json", jane)), "test-calendly-key");
        var sam = await ClickAsync("E.C.P.sam", "spring_sale", "video_b");
        await WebhookAsync("calendly", Today(Fixtures.Read("calendly/invitee-created-paid.json", sam)), "test-calendly-key");
        await WebhookAsync("calendly", Today(Fixtures.Read("calendly/invitee-created-untracked.json")), "test-calendly-key");
        await WebhookAsync("calendly", Today(Fixtures.Read("calendly/invitee-created-untracked.json")
            .Replace(WalkInInvitee, ErasedInvitee, StringComparison.Ordinal)
            .Replace(WalkInEmail, ErasedEmail, StringComparison.Ordinal)
            .Replace("+1 (213) 373-4253", "", StringComparison.Ordinal)), "test-calendly-key");
        // Jane's payment comes after her booking linked her email to her visitor.
        Assert.True(await Eventually.TrueAsync(async () => (await Receipts.GetAsync("acme", "schedule:c3e9d0f2-71aa-4b8e-8e25-4a6f0b9d2c71"))?.Status == ReceiptStatus.Sent, Within));
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        await WebhookAsync("stripe", Fixtures.Read("stripe/checkout-session-completed.json").Replace("1773321600", now, StringComparison.Ordinal), "whsec_test");

        Assert.True(await Eventually.TrueAsync(async () =>
        {
            var statuses = (await Receipts.ListAsync("acme", 20)).Select(r => r.Status).ToList();
            return statuses.Count(s => s == ReceiptStatus.Sent) == 4 && statuses.Count(s => s == ReceiptStatus.DeadLettered) == 1;
        }, Within), "the seeded conversions did not settle: 4 sent and 1 dead-lettered");
    }

    public async Task DisposeAsync()
    {
        await Attribution.DisposeAsync();
        await env!.DisposeAsync();
        await TikTok.DisposeAsync();
    }

    private void Configure(TestConfig config)
    {
        config.Able["Gateway"]!["AttributionUrl"] = (string)config.Able["Attribution"]!["PublicUrl"]!;
        config.Able["Worker"] = new JsonObject
        {
            ["TikTokBaseUrl"] = TikTok.BaseUrl.ToString(),
            ["FlushIntervalMilliseconds"] = 50,
            ["PollIntervalMilliseconds"] = 50,
            ["GracePeriodSeconds"] = 0,
        };
        config.Able["Admin"] = new JsonObject { ["Token"] = ConsoleClient.Token, ["ReportCacheSeconds"] = 0 };
        config.Funnel["DefaultPhoneRegion"] = "DE";
        config.Funnel["TikTok"] = new JsonObject { ["PixelId"] = "CTESTPIXEL0000000000", ["AccessToken"] = "console-token" };
    }

    /// <summary>A TikTok ad click on the landing page through the gateway; the visitor id its decorated Calendly link carries.</summary>
    private async Task<string> ClickAsync(string? ttclid, string campaign, string content, string source = "tiktok")
    {
        var click = ttclid is null ? "" : $"ttclid={ttclid}&";
        using var request = Navigation(env!,
            $"/book?{click}utm_source={source}&utm_medium={(ttclid is null ? "email" : "paid_social")}&utm_campaign={campaign}&utm_content={content}",
            cookie: null, PhoneUserAgent);
        using var response = await env!.Gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var vid = DecoratedVisitor(await response.Content.ReadAsStringAsync());
        var db = env.Redis.Multiplexer.GetDatabase();
        Assert.True(await Eventually.TrueAsync(async () =>
            await Schema.Visitors.VisitorProfile.ReadAsync(db, Keys, vid) is { } visitor && visitor.ClickTtclid == ttclid, Within));
        return vid;
    }

    /// <summary>A signed webhook to the funnel host on the gateway, which forwards it to the attribution service.</summary>
    private async Task WebhookAsync(string source, string body, string secret) =>
        Assert.Equal(HttpStatusCode.Accepted, await Worker.GatewayTraffic.WebhookAsync(env!, source, body, secret));
}

