using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Able.Attribution.Identity;
using Able.Attribution.Receipts;
using Able.Attribution.Signatures;
using Able.FunctionalTests.Capture;
using Able.Schema.Identity;
using Able.Schema.Redis;
using Microsoft.Extensions.DependencyInjection;

using static Able.FunctionalTests.Worker.GatewayTraffic;

namespace Able.FunctionalTests.Worker;

/// <summary>
/// Everything real, on the system clock: a TikTok ad click through the gateway, signed Calendly and
/// Stripe webhooks through the gateway to the attribution service, and the worker delivering to a fake TikTok.
/// </summary>
public sealed partial class FullPathTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_click_a_booking_carrying_the_visitor_and_a_later_purchase_reach_TikTok_once_each_with_the_click()
    {
        await using var tikTok = await FakeTikTok.StartAsync();
        await using var env = await GatewayWithOrigin.StartAsync(config => Configure(config, tikTok, graceSeconds: 0));
        await using var attribution = await RunningService.StartAttributionAsync(env.Config);
        var keys = new RedisKeys(env.Config.KeyPrefix);

        var vid = await ClickAsync(env, "E.C.P.full", keys);
        Assert.Equal(HttpStatusCode.Accepted, await WebhookAsync(env, "calendly", Today(Fixtures.Read("calendly/invitee-created-free.json", vid)), "test-calendly-key"));

        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(tikTok.Accepted.Count == 1), Within));
        var schedule = tikTok.Accepted[0];
        Assert.Equal("Schedule", (string?)schedule["event"]);
        Assert.Equal("E.C.P.full", (string?)schedule["user"]!["ttclid"]);
        Assert.Equal("127.0.0.1", (string?)schedule["user"]!["ip"]);
        Assert.Equal(UserAgent, (string?)schedule["user"]!["user_agent"]);
        Assert.Equal(WorkerDeliveryTests.JaneEmail, (string?)schedule["user"]!["email"]![0]);
        Assert.Equal(WorkerDeliveryTests.JanePhone, (string?)schedule["user"]!["phone"]![0]);
        Assert.Equal(ContactHashing.HashExternalId(vid), (string?)schedule["user"]!["external_id"]![0]);

        // Jane pays through Stripe (no visitor id on the payment): found by her email hash.
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var checkout = Fixtures.Read("stripe/checkout-session-completed.json").Replace("1773321600", now, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Accepted, await WebhookAsync(env, "stripe", checkout, "whsec_test"));

        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(tikTok.Accepted.Count == 2), Within));
        var purchase = tikTok.Accepted[1];
        Assert.Equal("Purchase", (string?)purchase["event"]);
        Assert.Equal("E.C.P.full", (string?)purchase["user"]!["ttclid"]);
        Assert.Equal(1490m, purchase["properties"]!["value"]!.GetValue<decimal>());
        var receipts = attribution.Services.GetRequiredService<ReceiptStore>();
        Assert.True(await Eventually.TrueAsync(async () =>
            (await receipts.GetAsync("acme", "purchase:stripe:pi_3QcS0ZLkdIwHu7ix1AbCdEfG"))?.Status == ReceiptStatus.Sent, Within));
        Assert.Equal("email", (await receipts.GetAsync("acme", "purchase:stripe:pi_3QcS0ZLkdIwHu7ix1AbCdEfG"))!.JoinPath);
        Assert.Empty(tikTok.Violations);
    }

    [Fact]
    public async Task A_booking_without_the_carrier_gets_the_click_of_the_visitor_whose_confirmation_redirect_arrives_after_the_webhook()
    {
        await using var tikTok = await FakeTikTok.StartAsync();
        await using var env = await GatewayWithOrigin.StartAsync(config => Configure(config, tikTok, graceSeconds: 4));
        await using var attribution = await RunningService.StartAttributionAsync(env.Config);
        var keys = new RedisKeys(env.Config.KeyPrefix);
        var first = await ClickAsync(env, "E.C.P.first", keys);
        var second = await ClickAsync(env, "E.C.P.second", keys);

        // Two bookings through a plain Calendly link (no visitor id), at the same moment.
        const string firstInvitee = "44444444-aaaa-4aaa-8aaa-444444444444";
        const string secondInvitee = "55555555-bbbb-4bbb-8bbb-555555555555";
        foreach (var (invitee, email) in new[] { (firstInvitee, "first@example.com"), (secondInvitee, "second@example.com") })
        {
            Assert.Equal(HttpStatusCode.Accepted,
                await WebhookAsync(env, "calendly", Today(WorkerDeliveryTests.Untracked(invitee, email)), "test-calendly-key"));
        }

        // Calendly's redirect after booking lands on the funnel a second later, each in its own browser.
        await Task.Delay(1000);
        await ConfirmationAsync(env, second, secondInvitee, "second@example.com");
        await ConfirmationAsync(env, first, firstInvitee, "first@example.com");

        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(tikTok.Accepted.Count == 2), Within));
        var byId = tikTok.Accepted.ToDictionary(e => (string)e["event_id"]!);
        Assert.Equal("E.C.P.first", (string?)byId[$"schedule:{firstInvitee}"]["user"]!["ttclid"]);
        Assert.Equal(ContactHashing.HashExternalId(first), (string?)byId[$"schedule:{firstInvitee}"]["user"]!["external_id"]![0]);
        Assert.Equal("E.C.P.second", (string?)byId[$"schedule:{secondInvitee}"]["user"]!["ttclid"]);
        Assert.Equal(ContactHashing.HashExternalId(second), (string?)byId[$"schedule:{secondInvitee}"]["user"]!["external_id"]![0]);
        Assert.Empty(tikTok.Violations);
    }

    internal static void Configure(TestConfig config, FakeTikTok tikTok, int graceSeconds)
    {
        config.Able["Gateway"]!["AttributionUrl"] = (string)config.Able["Attribution"]!["PublicUrl"]!;
        config.Able["Worker"] = new JsonObject
        {
            ["TikTokBaseUrl"] = tikTok.BaseUrl.ToString(),
            ["FlushIntervalMilliseconds"] = 50,
            ["PollIntervalMilliseconds"] = 50,
            ["GracePeriodSeconds"] = graceSeconds,
        };
        config.Funnel["DefaultPhoneRegion"] = "DE";
        config.Funnel["TikTok"] = new JsonObject { ["PixelId"] = "CTESTPIXEL0000000000", ["AccessToken"] = "full-path-token" };
    }

}
