using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Able.Attribution.Receipts;
using Able.Attribution.Signatures;
using Able.FunctionalTests.Tls;
using Microsoft.Extensions.DependencyInjection;
using static Able.FunctionalTests.Capture.GatewayRequests;

namespace Able.FunctionalTests.Worker;

/// <summary>
/// Everything real, over HTTPS: a Chromium visitor's ad click and second page through the gateway's TLS listener (the
/// first page asks for the high-entropy client hints, the second sends them), a signed Calendly booking through the
/// gateway, and the worker's event at a fake TikTok carrying them as its <c>device</c> object.
/// </summary>
public sealed class ClientHintsFullPathTests : IDisposable
{
    private const string Host = "book.test";
    private static readonly Uri Site = new($"https://{Host}/");
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    private readonly TestCertificateAuthority authority = new();

    public void Dispose() => authority.Dispose();

    [Fact]
    public async Task The_hints_of_a_visitor_over_HTTPS_reach_TikTok_as_the_device_object_and_are_listed_on_the_receipt()
    {
        await using var tikTok = await FakeTikTok.StartAsync();
        var certificate = authority.Issue([Host]);
        await using var gateway = await TlsGateway.StartAsync([Host], (directory, config) =>
        {
            certificate.WriteFlat(directory, Host);
            FullPathTests.Configure(config, tikTok, graceSeconds: 0);
        });
        await using var attribution = await RunningService.StartAttributionAsync(gateway.Config);
        using var client = gateway.HttpsClient(authority);

        using var click = Page(Site, "/landing?ttclid=E.C.P.hinted&utm_source=tiktok");
        ChromiumClientHints.AddTo(click, ChromiumClientHints.LowEntropy);
        string visitorId;
        using (var landing = await client.SendAsync(click))
        {
            Assert.Equal(HttpStatusCode.OK, landing.StatusCode);
            Assert.Contains("Sec-CH-UA-Full-Version-List", landing.Headers.GetValues("Accept-CH").Single(), StringComparison.Ordinal);
            visitorId = VisitorCookie(landing)!;
        }

        using var secondPage = Page(Site, "/pricing", cookie: $"able_vid={visitorId}");
        ChromiumClientHints.AddTo(secondPage, ChromiumClientHints.HighEntropy);
        using (var pricing = await client.SendAsync(secondPage))
        {
            Assert.Equal(HttpStatusCode.OK, pricing.StatusCode);
        }

        var redis = await RedisTestServer.GetAsync();
        Assert.Equal("Pixel 8", (await ProfileAsync(redis, gateway.Config, visitorId, p => p.Device?.Model is not null)).Device?.Model);

        var booking = Encoding.UTF8.GetBytes(GatewayTraffic.Today(Fixtures.Read("calendly/invitee-created-free.json", visitorId)));
        using var webhook = new HttpRequestMessage(HttpMethod.Post, new Uri(Site, "/calendly-webhook/acme")) { Content = new ByteArrayContent(booking) };
        webhook.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        webhook.Headers.TryAddWithoutValidation("Calendly-Webhook-Signature", WebhookSignature.Sign(booking, "test-calendly-key", DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        using (var accepted = await client.SendAsync(webhook))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(tikTok.Accepted.Count == 1), Within), "TikTok got no event");
        var schedule = tikTok.Accepted[0];
        Assert.Equal("E.C.P.hinted", (string?)schedule["user"]!["ttclid"]);
        var expected = JsonNode.Parse(ChromiumClientHints.DeviceJson);
        Assert.True(JsonNode.DeepEquals(expected, schedule["device"]), schedule["device"]?.ToJsonString());
        Assert.Empty(tikTok.Violations);

        var receipts = attribution.Services.GetRequiredService<ReceiptStore>();
        MatchReceipt? receipt = null;
        Assert.True(await Eventually.TrueAsync(async () =>
            (receipt = await receipts.GetAsync("acme", (string)schedule["event_id"]!))?.Status == ReceiptStatus.Sent, Within));
        Assert.Subset(
            new HashSet<string>(receipt!.KeysSent),
            new HashSet<string> { "device.platform", "device.platform_version", "device.mobile", "device.model", "device.bitness", "device.browser_version_list" });
    }
}
