using System.Net;

namespace Able.FunctionalTests.Ingress;

/// <summary>
/// The URL form the README gives operators: <c>https://&lt;funnel host&gt;/calendly-webhook/&lt;mark&gt;</c> on the
/// gateway, forwarded to the attribution service with the body byte for byte, so the signature still holds.
/// </summary>
public sealed class ThroughGatewayTests
{
    [Fact]
    public async Task Webhooks_and_conversions_sent_to_a_funnel_host_on_the_gateway_are_stored_byte_for_byte()
    {
        await using var attribution = await IngressHarness.StartAsync();
        var gatewayConfig = TestConfig.Create((await RedisTestServer.GetAsync()).ConnectionString);
        gatewayConfig.Able["Gateway"]!["AttributionUrl"] = attribution.Service.PublicBase.ToString();
        using var config = gatewayConfig;
        await using var gateway = await RunningService.StartGatewayAsync(config);
        var calendly = Fixtures.Bytes("calendly/invitee-created-paid.json");
        var stripe = Fixtures.Bytes("stripe/checkout-session-completed.json");

        async Task<HttpStatusCode> ViaGatewayAsync(HttpRequestMessage request)
        {
            request.RequestUri = new Uri(gateway.PublicBase, request.RequestUri!.OriginalString);
            request.Headers.Host = "localhost";
            using var response = await gateway.Client.SendAsync(request);
            return response.StatusCode;
        }

        var conversion = """{"funnel":"acme","event":"Lead","event_id":"g-1"}""";
        Assert.Equal(HttpStatusCode.Accepted, await ViaGatewayAsync(IngressHarness.Webhook("calendly", "acme", calendly)));
        Assert.Equal(HttpStatusCode.Accepted, await ViaGatewayAsync(IngressHarness.Webhook("stripe", "acme", stripe)));
        Assert.Equal(HttpStatusCode.Accepted, await ViaGatewayAsync(IngressHarness.Conversions(conversion)));
        Assert.Equal(HttpStatusCode.Unauthorized, await ViaGatewayAsync(IngressHarness.Webhook("calendly", "acme", calendly, "wrong-key")));

        var entries = await attribution.EntriesAsync();
        Assert.Equal(3, entries.Length);
        Assert.Equal(IngressHarness.ExpectedFacts("calendly", calendly), IngressHarness.Facts(entries[0]));
        Assert.Equal(IngressHarness.ExpectedFacts("stripe", stripe), IngressHarness.Facts(entries[1]));
        Assert.Equal(IngressHarness.ExpectedFacts("api", System.Text.Encoding.UTF8.GetBytes(conversion)), IngressHarness.Facts(entries[2]));
    }
}
