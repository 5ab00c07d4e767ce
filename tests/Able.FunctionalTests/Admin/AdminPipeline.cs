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

namespace Able.FunctionalTests.Admin;

/// <summary>
/// Everything real, on the system clock, for the admin API's numbers: TikTok ad clicks through the gateway (which
/// captures the visits and counts them), signed Calendly and Stripe webhooks through the gateway to the attribution
/// service, its worker delivering to a fake TikTok, and the admin API of that service.
/// </summary>
internal sealed partial class AdminPipeline : IAsyncDisposable
{
    /// <summary>Jane's free booking (<c>calendly/invitee-created-free.json</c>): Jane.Doe@Example.com, +49 151 12345678.</summary>
    public const string JaneBookingId = "schedule:c3e9d0f2-71aa-4b8e-8e25-4a6f0b9d2c71";

    /// <summary>Jane's payment (<c>stripe/checkout-session-completed.json</c>): 1490 EUR, found by her email.</summary>
    public const string JanePurchaseId = "purchase:stripe:pi_3QcS0ZLkdIwHu7ix1AbCdEfG";

    /// <summary>A walk-in booking through a plain Calendly link (<c>calendly/invitee-created-untracked.json</c>).</summary>
    public const string WalkInBookingId = "schedule:6c6c6c6c-6666-4666-8666-111111111111";

    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    private AdminPipeline(FakeTikTok tikTok, GatewayWithOrigin env, AdminService admin)
    {
        TikTok = tikTok;
        Env = env;
        Admin = admin;
        Keys = new RedisKeys(env.Config.KeyPrefix);
    }

    public FakeTikTok TikTok { get; }

    public GatewayWithOrigin Env { get; }

    public AdminService Admin { get; }

    public RedisKeys Keys { get; }

    public RedisTestServer Redis => Env.Redis;

    public ReceiptStore Receipts => Admin.Service.Services.GetRequiredService<ReceiptStore>();

    public static async Task<AdminPipeline> StartAsync(int reportCacheSeconds = 0)
    {
        var tikTok = await FakeTikTok.StartAsync();
        var env = await GatewayWithOrigin.StartAsync(config =>
        {
            config.Able["Gateway"]!["AttributionUrl"] = (string)config.Able["Attribution"]!["PublicUrl"]!;
            config.Able["Worker"] = new JsonObject
            {
                ["TikTokBaseUrl"] = tikTok.BaseUrl.ToString(),
                ["FlushIntervalMilliseconds"] = 50,
                ["PollIntervalMilliseconds"] = 50,
                ["GracePeriodSeconds"] = 0,
            };
            config.Funnel["DefaultPhoneRegion"] = "DE";
            config.Funnel["TikTok"] = new JsonObject { ["PixelId"] = "CTESTPIXEL0000000000", ["AccessToken"] = "admin-pipeline-token" };
            AdminService.WithAdmin(config, reportCacheSeconds);
        });
        return new AdminPipeline(tikTok, env, await AdminService.StartAsync(env.Config));
    }

    /// <summary>
    /// A visit to the landing page through the gateway with <paramref name="query"/> (UTM parameters, a ttclid);
    /// returns the visitor id the decorated Calendly link carries, once the visit is stored.
    /// </summary>
    public async Task<string> VisitAsync(string query)
    {
        using var request = Navigation(Env, "/book?" + query, cookie: null);
        using var response = await Env.Gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var vid = DecoratedVisitor(await response.Content.ReadAsStringAsync());
        Assert.False(string.IsNullOrEmpty(vid));
        var db = Redis.Multiplexer.GetDatabase();
        Assert.True(await Eventually.TrueAsync(async () => await db.KeyExistsAsync(Keys.Visitor(vid)), Within), "the visit is stored");
        return vid;
    }

    /// <summary>Jane books the free call through the decorated link of <paramref name="visitorId"/>.</summary>
    public Task BookAsJaneAsync(string visitorId) =>
        WebhookAsync("calendly", Today(Fixtures.Read("calendly/invitee-created-free.json", visitorId)), "test-calendly-key");

    /// <summary>A walk-in books through a plain Calendly link: no visitor to join.</summary>
    public Task BookAsWalkInAsync() =>
        WebhookAsync("calendly", Today(Fixtures.Read("calendly/invitee-created-untracked.json")), "test-calendly-key");

    /// <summary>Jane pays 1490 EUR through Stripe Checkout (no visitor id on the payment: her email finds her).</summary>
    public Task PayAsJaneAsync(string paymentIntent = "pi_3QcS0ZLkdIwHu7ix1AbCdEfG")
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var checkout = Fixtures.Read("stripe/checkout-session-completed.json")
            .Replace("1773321600", now, StringComparison.Ordinal)
            .Replace("pi_3QcS0ZLkdIwHu7ix1AbCdEfG", paymentIntent, StringComparison.Ordinal)
            .Replace("evt_1QcS0aLkdIwHu7ixAbCdEf01", "evt_" + paymentIntent, StringComparison.Ordinal);
        return WebhookAsync("stripe", checkout, "whsec_test");
    }

    /// <summary>
    /// The usual world: Jane clicks a TikTok ad (spring / ad1) and books the free call through the decorated link, a
    /// newsletter reader visits and does not book, a walk-in books through a plain Calendly link, then Jane pays 1490 EUR
    /// through Stripe; returns once all three conversions are sent. Returns Jane's and the reader's visitor ids.
    /// </summary>
    public async Task<(string Jane, string Reader)> SeedAsync()
    {
        var jane = await VisitAsync("ttclid=E.C.P.admin&utm_source=tiktok&utm_campaign=spring&utm_content=ad1");
        var reader = await VisitAsync("utm_source=newsletter&utm_campaign=march");
        await BookAsJaneAsync(jane);
        await BookAsWalkInAsync();
        await WaitForAsync(ReceiptStatus.Sent, JaneBookingId, WalkInBookingId);
        await PayAsJaneAsync();
        await WaitForAsync(ReceiptStatus.Sent, JanePurchaseId);
        return (jane, reader);
    }

    /// <summary>Waits until every receipt named has <paramref name="status"/>.</summary>
    public async Task WaitForAsync(string status, params string[] receiptIds)
    {
        var reached = await Eventually.TrueAsync(async () =>
        {
            foreach (var id in receiptIds)
            {
                if ((await Receipts.GetAsync("acme", id))?.Status != status)
                {
                    return false;
                }
            }

            return true;
        }, Within);
        var states = new List<string>();
        foreach (var id in receiptIds)
        {
            states.Add($"{id}: {(await Receipts.GetAsync("acme", id))?.Status ?? "no receipt"}");
        }

        Assert.True(reached, $"expected {status}: {string.Join(", ", states)}");
    }

    /// <summary>A signed webhook sent to the funnel host on the gateway, which forwards it to the attribution service.</summary>
    private async Task WebhookAsync(string source, string body, string secret) =>
        Assert.Equal(HttpStatusCode.Accepted, await Worker.GatewayTraffic.WebhookAsync(Env, source, body, secret));

    public async ValueTask DisposeAsync()
    {
        await Admin.DisposeAsync();
        await Env.DisposeAsync();
        await TikTok.DisposeAsync();
    }
}
