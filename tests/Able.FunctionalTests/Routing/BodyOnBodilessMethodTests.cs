using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Able.Attribution.Visitors;
using Able.FunctionalTests.Capture;
using static Able.FunctionalTests.Capture.GatewayRequests;

namespace Able.FunctionalTests.Routing;

/// <summary>
/// A body on GET/HEAD/OPTIONS/TRACE is never forwarded: an origin that ignores such bodies would read it as the
/// next request on a reused connection and hand its answer to another visitor (request smuggling, "CL.0").
/// </summary>
public sealed class BodyOnBodilessMethodTests
{
    private const int Attackers = 4;
    private const int Visitors = 4;
    private const int RequestsEach = 40;

    [Fact]
    public async Task Smuggled_requests_in_GET_bodies_never_reach_another_visitors_response()
    {
        await using var origin = RawSocketOrigin.Start(answerDelay: TimeSpan.FromMilliseconds(3));
        var redis = await RedisTestServer.GetAsync();
        using var config = TestConfig.Create(redis.ConnectionString, origin.Url);
        await using var gateway = await RunningService.StartGatewayAsync(config);

        var crossTalk = new ConcurrentQueue<string>();
        var attackerStatuses = new ConcurrentQueue<HttpStatusCode>();
        var visitorStatuses = new ConcurrentQueue<HttpStatusCode>();

        async Task AttackAsync(int attacker)
        {
            using var client = new HttpClient(new SocketsHttpHandler { UseCookies = false });
            for (var i = 0; i < RequestsEach; i++)
            {
                var smuggled = $"GET /victim/{attacker}/{i} HTTP/1.1\r\nHost: {gateway.PublicBase.Authority}\r\n\r\n";
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(gateway.PublicBase, $"/attacker/{attacker}/{i}"))
                {
                    Content = new ByteArrayContent(Encoding.ASCII.GetBytes(smuggled)),
                };
                using var response = await client.SendAsync(request);
                attackerStatuses.Enqueue(response.StatusCode);
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode == HttpStatusCode.OK && body != $"GET /attacker/{attacker}/{i} HTTP/1.1")
                {
                    crossTalk.Enqueue($"attacker {attacker}/{i} got \"{body}\"");
                }
            }
        }

        async Task VisitAsync(int visitor)
        {
            using var client = new HttpClient(new SocketsHttpHandler { UseCookies = false });
            for (var i = 0; i < RequestsEach; i++)
            {
                using var response = await client.GetAsync(new Uri(gateway.PublicBase, $"/visitor/{visitor}/{i}"));
                visitorStatuses.Enqueue(response.StatusCode);
                var body = await response.Content.ReadAsStringAsync();
                if (body != $"GET /visitor/{visitor}/{i} HTTP/1.1")
                {
                    crossTalk.Enqueue($"visitor {visitor}/{i} got {(int)response.StatusCode} \"{body}\"");
                }
            }
        }

        await Task.WhenAll(
            Enumerable.Range(0, Attackers).Select(AttackAsync).Concat(Enumerable.Range(0, Visitors).Select(VisitAsync)));

        Assert.True(crossTalk.IsEmpty, $"{crossTalk.Count} responses carried another request's answer, e.g.: {string.Join("; ", crossTalk.Take(5))}");
        Assert.All(attackerStatuses, status => Assert.Equal(HttpStatusCode.BadRequest, status));
        Assert.All(visitorStatuses, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.DoesNotContain(origin.RequestLines, line => line.Contains("/attacker/", StringComparison.Ordinal) || line.Contains("/victim/", StringComparison.Ordinal));
        Assert.Equal(Visitors * RequestsEach, origin.RequestLines.Count);
    }

    public static TheoryData<string, string> BodiedRequests => new()
    {
        { "GET", "Content-Length: 5\r\n\r\nhello" },
        { "GET", "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" },
        { "GET", "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" },
        { "HEAD", "Content-Length: 5\r\n\r\nhello" },
        { "OPTIONS", "Content-Length: 5\r\n\r\nhello" },
        { "TRACE", "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" },
    };

    [Theory]
    [MemberData(nameof(BodiedRequests))]
    public async Task A_body_on_a_bodiless_method_is_400_before_capture_and_is_counted(string method, string bodyFraming)
    {
        await using var run = await GatewayWithOrigin.StartAsync();
        var (origin, redis, config, gateway) = run;

        // A page navigation that would otherwise be captured and get a visitor cookie.
        var request = Encoding.ASCII.GetBytes(
            $"{method} /landing?ttclid=E.C.P.smuggle&utm_source=tiktok HTTP/1.1\r\nHost: {gateway.PublicBase.Authority}\r\n" +
            $"Accept: text/html\r\nUser-Agent: {PhoneBrowser}\r\nConnection: close\r\n{bodyFraming}");
        var response = await RawHttpClient.SendBytesAsync(gateway.PublicBase, request);

        Assert.Equal(400, response.Status);
        Assert.DoesNotContain("Set-Cookie", response.HeadText, StringComparison.OrdinalIgnoreCase);
        if (method != "HEAD")
        {
            Assert.Contains("must not carry a body", Encoding.UTF8.GetString(response.Body), StringComparison.Ordinal);
        }

        Assert.Empty(origin.Requests);
        await AssertOnlySentinelStoredAsync(gateway, redis, config, "a refused request");
        var metrics = await gateway.Client.GetStringAsync(new Uri(gateway.ManagementBase, "/metrics"));
        Assert.Contains("able_gateway_rejected_total{funnel=\"acme\",reason=\"body_on_bodiless_method\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("able_gateway_requests_total{funnel=\"acme\",status=\"400\"} 1", metrics, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/calendly-webhook/acme")]
    [InlineData("/stripe-webhook/acme")]
    [InlineData("/v1/conversions")]
    public async Task A_GET_with_a_body_on_an_ingress_path_never_reaches_the_attribution_service(string path)
    {
        await using var attribution = await RecordingOrigin.StartAsync();
        await using var run = await GatewayWithOrigin.StartAsync(config => config.Able["Gateway"]!["AttributionUrl"] = attribution.Url);
        var gateway = run.Gateway;

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(gateway.PublicBase, path))
        {
            Content = new StringContent("{\"event\":\"invitee.created\"}", Encoding.UTF8, "application/json"),
        };
        using var response = await gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(attribution.Requests);

        // The same path without a body still goes through.
        using var plain = await gateway.Client.GetAsync(new Uri(gateway.PublicBase, path));
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Single(attribution.Requests);
    }

    [Theory]
    [InlineData("GET", "Content-Length: 0\r\n\r\n")]
    [InlineData("POST", "Content-Length: 5\r\n\r\nhello")]
    [InlineData("DELETE", "Content-Length: 5\r\n\r\nhello")]
    public async Task Requests_without_a_body_or_with_a_method_that_takes_one_pass(string method, string bodyFraming)
    {
        await using var run = await GatewayWithOrigin.StartAsync();
        var (origin, redis, config, gateway) = run;

        var response = await RawHttpClient.SendBytesAsync(gateway.PublicBase, Encoding.ASCII.GetBytes(
            $"{method} /form HTTP/1.1\r\nHost: {gateway.PublicBase.Authority}\r\nConnection: close\r\n{bodyFraming}"));

        Assert.Equal(200, response.Status);
        Assert.Equal(method, origin.ReceivedOnce("/form").Method);
    }
}
