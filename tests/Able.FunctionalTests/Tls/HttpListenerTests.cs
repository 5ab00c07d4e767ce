using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Able.FunctionalTests.Tls;

/// <summary>
/// The plain HTTP listener beside HTTPS: 308 to HTTPS for funnel hosts with a certificate (path and query intact), the ACME
/// webroot served for certbot, and never a redirect for webhooks, other methods, hosts without a certificate or the
/// management port.
/// </summary>
public sealed class HttpListenerTests : IDisposable
{
    private readonly TestCertificateAuthority authority = new();

    public void Dispose() => authority.Dispose();

    private Task<TlsGateway> StartAsync(Action<TestConfig>? configure = null)
    {
        var shop = authority.Issue(["shop.test"]);
        return TlsGateway.StartAsync(["shop.test", "nocert.test"], (directory, config) =>
        {
            shop.WriteCertbot(directory, "shop.test");
            configure?.Invoke(config);
        });
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/landing?ttclid=E.C.P.abc&utm_source=tiktok")]
    [InlineData("/a%20b/%C3%A9t%C3%A9?q=%2F%3F%26x&empty=&flag")]
    [InlineData("/calendly-webhooks-are-elsewhere/page")]
    public async Task GET_and_HEAD_over_HTTP_get_308_to_the_same_URL_on_HTTPS(string target)
    {
        await using var gateway = await StartAsync();
        using var client = gateway.HttpClient();
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Head })
        {
            using var request = new HttpRequestMessage(method, $"http://shop.test:{gateway.HttpPort}{target}");
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.PermanentRedirect, response.StatusCode);
            Assert.Equal($"https://shop.test:{gateway.HttpsPort}{target}", response.Headers.Location?.OriginalString);
        }

        // Following it on HTTPS gives the page.
        using var https = gateway.HttpsClient(authority);
        using var page = await https.GetAsync(new Uri($"https://shop.test{target}"));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public async Task The_redirect_names_RedirectPort_when_set_and_no_port_for_443()
    {
        await using var gateway = await StartAsync(config => config.Able["Gateway"]!["Tls"]!["RedirectPort"] = 443);
        using var client = gateway.HttpClient();
        using var response = await client.GetAsync(new Uri($"http://SHOP.test:{gateway.HttpPort}/x?y=1"));
        Assert.Equal("https://shop.test/x?y=1", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task The_ACME_challenge_is_served_from_the_webroot_over_HTTP_and_HTTPS_and_nothing_else_is_served_from_there()
    {
        await using var gateway = await StartAsync();
        var challenges = Path.Combine(gateway.AcmeWebroot, ".well-known", "acme-challenge");
        const string Token = "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0";
        const string KeyAuthorization = Token + ".9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI";
        File.WriteAllText(Path.Combine(challenges, Token), KeyAuthorization);
        File.WriteAllText(Path.Combine(gateway.AcmeWebroot, "secret.txt"), "not for the web");

        using var client = gateway.HttpClient();
        foreach (var host in new[] { "shop.test", "nocert.test" })
        {
            using var response = await client.GetAsync(new Uri($"http://{host}:{gateway.HttpPort}/.well-known/acme-challenge/{Token}"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(KeyAuthorization, await response.Content.ReadAsStringAsync());
        }

        using var https = gateway.HttpsClient(authority);
        Assert.Equal(KeyAuthorization, await https.GetStringAsync(new Uri($"https://shop.test/.well-known/acme-challenge/{Token}")));

        foreach (var target in new[] { "missing-token", "..%2Fsecret.txt", "..%2F..%2Fsecret.txt", "a.b", "", "x/y" })
        {
            using var refused = await client.GetAsync(new Uri($"http://shop.test:{gateway.HttpPort}/.well-known/acme-challenge/{target}"));
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
            Assert.DoesNotContain("not for the web", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Webhook_and_conversions_POSTs_over_HTTP_are_forwarded_not_redirected()
    {
        var received = new List<string>();
        await using var attribution = await LoopbackServer.StartAsync(app => app.MapPost("/{**path}", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            lock (received)
            {
                received.Add($"{context.Request.Method} {context.Request.Path} {body}");
            }

            context.Response.StatusCode = 202;
            await context.Response.WriteAsync("queued");
        }));
        await using var gateway = await StartAsync(config => config.Able["Gateway"]!["AttributionUrl"] = attribution.Url);
        using var client = gateway.HttpClient();
        foreach (var path in new[] { "/calendly-webhook/acme", "/stripe-webhook/acme", "/v1/conversions" })
        {
            using var body = new StringContent("{\"event\":\"invitee.created\"}", Encoding.UTF8, "application/json");
            using var response = await client.PostAsync(new Uri($"http://shop.test:{gateway.HttpPort}{path}"), body);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        // A POST to a page is served where it was sent too (a 308 would ask every sender to repeat its body).
        using var form = new StringContent("a=1", Encoding.UTF8, "application/x-www-form-urlencoded");
        using var page = await client.PostAsync(new Uri($"http://shop.test:{gateway.HttpPort}/contact"), form);
        Assert.NotEqual(HttpStatusCode.PermanentRedirect, page.StatusCode);

        Assert.Equal(3, received.Count);
        Assert.All(received, line => Assert.EndsWith("{\"event\":\"invitee.created\"}", line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_host_without_a_certificate_a_funnel_that_turned_redirects_off_and_the_management_port_are_not_redirected()
    {
        await using var gateway = await StartAsync();
        using var client = gateway.HttpClient();
        using var nocert = await client.GetAsync(new Uri($"http://nocert.test:{gateway.HttpPort}/"));
        Assert.Equal(HttpStatusCode.OK, nocert.StatusCode);

        using var health = await gateway.Gateway.Client.GetAsync(new Uri(gateway.Gateway.ManagementBase, "/healthz"));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);

        await using var optedOut = await StartAsync(config => config.Funnel["Https"] = new JsonObject { ["RedirectHttp"] = false });
        using var optedOutClient = optedOut.HttpClient();
        using var served = await optedOutClient.GetAsync(new Uri($"http://shop.test:{optedOut.HttpPort}/"));
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }
}
