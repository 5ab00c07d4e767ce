using System.Net;
using System.Text.Json.Nodes;

namespace Able.FunctionalTests.Ingress;

/// <summary>Per client IP and per funnel fixed windows on the ingress routes: 429 with Retry-After.</summary>
public sealed class RateLimitTests
{
    private static Task<IngressHarness> StartAsync(int perIp, int perFunnel) => IngressHarness.StartAsync(able =>
        able["Attribution"]!["Ingress"] = new JsonObject
        {
            ["RateLimit"] = new JsonObject { ["PermitsPerIp"] = perIp, ["PermitsPerFunnel"] = perFunnel, ["WindowSeconds"] = 60 },
        });

    private static HttpRequestMessage From(string clientIp, HttpRequestMessage request)
    {
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", clientIp);
        return request;
    }

    [Fact]
    public async Task One_client_over_its_limit_gets_429_with_retry_after_and_others_are_served()
    {
        await using var harness = await StartAsync(perIp: 3, perFunnel: 1000);
        var body = Fixtures.Bytes("calendly/invitee-created-free.json");

        for (var i = 0; i < 3; i++)
        {
            using var ok = await harness.SendAsync(From("203.0.113.7", IngressHarness.Webhook("calendly", "acme", body)));
            Assert.Equal(HttpStatusCode.Accepted, ok.StatusCode);
        }

        using var limited = await harness.SendAsync(From("203.0.113.7", IngressHarness.Webhook("calendly", "acme", body)));
        Assert.Equal((HttpStatusCode)429, limited.StatusCode);
        Assert.InRange(limited.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60);

        using var other = await harness.SendAsync(From("203.0.113.8", IngressHarness.Webhook("calendly", "acme", body)));
        Assert.Equal(HttpStatusCode.Accepted, other.StatusCode);
        Assert.Equal(4, (await harness.EntriesAsync()).Length);
        Assert.Contains("able_webhooks_total{source=\"calendly\",funnel=\"acme\",outcome=\"rate_limited\"} 1", await harness.MetricsAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_funnel_over_its_limit_gets_429_and_another_funnel_is_served()
    {
        await using var harness = await StartAsync(perIp: 1000, perFunnel: 2);
        var body = Fixtures.Bytes("stripe/invoice-paid.json");

        for (var i = 0; i < 2; i++)
        {
            using var ok = await harness.SendAsync(From($"198.51.100.{i}", IngressHarness.Webhook("stripe", "acme", body)));
            Assert.Equal(HttpStatusCode.Accepted, ok.StatusCode);
        }

        using var limited = await harness.SendAsync(From("198.51.100.9", IngressHarness.Webhook("stripe", "acme", body)));
        Assert.Equal((HttpStatusCode)429, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter);

        using var limitedApi = await harness.SendAsync(From("198.51.100.10", IngressHarness.Conversions(
            """{"funnel":"acme","event":"Lead","event_id":"1"}""")));
        Assert.Equal((HttpStatusCode)429, limitedApi.StatusCode);

        using var other = await harness.SendAsync(IngressHarness.Webhook("stripe", "other", body, IngressHarness.OtherStripeSecret));
        Assert.Equal(HttpStatusCode.Accepted, other.StatusCode);
    }

    /// <summary>
    /// A conversions API request counts against the funnel that owns its bearer key, whichever funnel its body
    /// names, and a key no funnel owns counts against none: wrong keys cannot use up a real funnel's window.
    /// </summary>
    [Fact]
    public async Task A_conversions_API_request_counts_against_the_funnel_owning_its_key_and_a_wrong_key_against_none()
    {
        await using var harness = await StartAsync(perIp: 1000, perFunnel: 1);
        var body = Fixtures.Bytes("stripe/invoice-paid.json");

        for (var i = 0; i < 3; i++)
        {
            using var wrongKey = await harness.SendAsync(From($"198.51.100.{i}", IngressHarness.Conversions(
                """{"funnel":"acme","event":"Lead","event_id":"1"}""", apiKey: "not-a-funnels-key")));
            Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        }

        using var others = await harness.SendAsync(From("198.51.100.20", IngressHarness.Conversions(
            """{"funnel":"other","event":"Lead","event_id":"1"}""", apiKey: IngressHarness.OtherApiKey)));
        Assert.Equal(HttpStatusCode.Accepted, others.StatusCode);

        using var acme = await harness.SendAsync(From("198.51.100.21", IngressHarness.Webhook("stripe", "acme", body)));
        Assert.Equal(HttpStatusCode.Accepted, acme.StatusCode);

        using var otherAgain = await harness.SendAsync(From("198.51.100.22", IngressHarness.Webhook("stripe", "other", body, IngressHarness.OtherStripeSecret)));
        Assert.Equal((HttpStatusCode)429, otherAgain.StatusCode);
    }

    /// <summary>The window reopens by itself: after a 429, a later request of the same client is served again without any other traffic.</summary>
    [Fact]
    public async Task A_client_over_its_limit_is_served_again_once_the_window_has_passed()
    {
        await using var harness = await IngressHarness.StartAsync(able => able["Attribution"]!["Ingress"] = new JsonObject
        {
            ["RateLimit"] = new JsonObject { ["PermitsPerIp"] = 1, ["PermitsPerFunnel"] = 1000, ["WindowSeconds"] = 1 },
        });
        var body = Fixtures.Bytes("calendly/invitee-created-free.json");
        using var first = await harness.SendAsync(From("203.0.113.30", IngressHarness.Webhook("calendly", "acme", body)));
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);

        var limitedOnce = false;
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            using var next = await harness.SendAsync(From("203.0.113.30", IngressHarness.Webhook("calendly", "acme", body)));
            limitedOnce |= next.StatusCode == (HttpStatusCode)429;
            return next.StatusCode == HttpStatusCode.Accepted && limitedOnce;
        }, TimeSpan.FromSeconds(15)));
    }
}
