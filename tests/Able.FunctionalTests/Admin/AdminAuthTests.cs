using System.Net;
using System.Text.Json.Nodes;
using Able.Attribution.Service.Admin;
using Able.Schema.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace Able.FunctionalTests.Admin;

/// <summary>
/// Who may use the admin API: only a caller with the configured token, only on the management port, and nobody when
/// no token is configured. Every route the service maps is tried (read from its endpoint data source), so a route
/// added later without the token check fails here.
/// </summary>
public sealed class AdminAuthTests
{
    /// <summary>A body every POST/DELETE route would accept, so a 401 cannot come from a bad body.</summary>
    private const string ContactJson = """{"email":"jane.doe@example.com"}""";

    /// <summary>The routes the issue asks for: the enumeration must find at least these.</summary>
    private static readonly (string Method, string Path)[] Required =
    [
        ("GET", "/admin/api/funnels"),
        ("GET", "/admin/api/summary"),
        ("GET", "/admin/api/report"),
        ("GET", "/admin/api/conversions"),
        ("GET", "/admin/api/conversions/acme/schedule:c3e9d0f2-71aa-4b8e-8e25-4a6f0b9d2c71"),
        ("POST", "/admin/api/journey"),
        ("GET", "/admin/api/deadletters"),
        ("GET", "/admin/api/deadletters/1764680000000-0"),
        ("POST", "/admin/api/deadletters/1764680000000-0/replay"),
        ("POST", "/admin/api/deadletters/replay"),
        ("DELETE", "/admin/api/deadletters/1764680000000-0"),
        ("DELETE", "/admin/api/people"),
    ];

    [Fact]
    public async Task Every_admin_route_answers_401_with_a_bearer_challenge_without_a_token_and_with_a_wrong_one()
    {
        // Enough wrong tokens allowed for every route twice, so the limiter does not answer first.
        await using var admin = await AdminService.StartAsync(config => config.Able["Admin"]!["FailedAttemptsPerMinute"] = 10_000);
        var routes = admin.Routes();
        Assert.All(Required, required => Assert.Contains(required, routes));

        foreach (var (method, path) in routes)
        {
            foreach (var token in new[] { null, "wrong-token-0123456789abcdef", AdminService.Token + "x", "" })
            {
                using var response = await admin.SendAsync(new HttpMethod(method), path, token, method is "POST" or "DELETE" ? ContactJson : null);
                var (status, problem) = await AdminService.ProblemAsync(response);
                Assert.True(status == HttpStatusCode.Unauthorized, $"{method} {path} with token '{token}': {(int)status} {problem}");
                Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
            }
        }

        // Not a route the service knows, under /admin/api: the token is asked for first there too.
        using var unknown = await admin.SendAsync(HttpMethod.Get, "/admin/api/no-such-route", token: null);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
    }

    [Fact]
    public async Task The_right_token_opens_the_funnels_route_which_shows_the_configuration_without_its_secrets()
    {
        await using var admin = await AdminService.StartAsync();

        using var response = await admin.GetAsync("/admin/api/funnels");
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var funnel = Assert.Single(JsonNode.Parse(text)!.AsArray())!;
        Assert.Equal("acme", (string?)funnel["mark"]);
        Assert.Equal(["localhost", "127.0.0.1"], funnel["hosts"]!.AsArray().Select(h => (string?)h));
        Assert.Equal("CTESTPIXEL0000000000", (string?)funnel["pixel_id"]);
        Assert.True((bool?)funnel["pixel_configured"]);
        Assert.True((bool?)funnel["dry_run"]);
        Assert.True((bool?)funnel["calendly_configured"]);
        Assert.True((bool?)funnel["stripe_configured"]);
        Assert.True((bool?)funnel["conversions_api"]);
        foreach (var secret in new[] { "test-calendly-key", "whsec_test", "test-api-key", AdminService.Token })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_client_that_sent_too_many_wrong_tokens_gets_429_even_with_the_right_token_and_another_client_is_served()
    {
        await using var admin = await AdminService.StartAsync(config => config.Able["Admin"]!["FailedAttemptsPerMinute"] = 3);

        for (var i = 0; i < 3; i++)
        {
            using var wrong = await admin.GetAsync("/admin/api/funnels", token: $"wrong-token-{i}-0123456789abcdef");
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        foreach (var token in new[] { "wrong-token-3-0123456789abcdef", AdminService.Token })
        {
            using var refused = await admin.GetAsync("/admin/api/funnels", token);
            var (status, problem) = await AdminService.ProblemAsync(refused);
            Assert.Equal((HttpStatusCode)429, status);
            var retryAfter = refused.Headers.RetryAfter?.Delta;
            Assert.NotNull(retryAfter);
            Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
            Assert.Contains("too many wrong admin tokens", (string?)problem["detail"], StringComparison.Ordinal);
        }

        // Missing tokens are not guesses: they do not count.
        using var other = SourceAddressClient.From(IPAddress.Parse("127.0.0.2"));
        for (var i = 0; i < 5; i++)
        {
            using var missing = await admin.SendAsync(HttpMethod.Get, "/admin/api/funnels", token: null, client: other);
            Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        }

        using var served = await admin.SendAsync(HttpMethod.Get, "/admin/api/funnels", AdminService.Token, client: other);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task The_admin_routes_do_not_exist_on_the_public_port()
    {
        await using var admin = await AdminService.StartAsync();

        foreach (var (method, path) in admin.Routes())
        {
            using var response = await admin.SendPublicAsync(new HttpMethod(method), path);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path} on the public port: {(int)response.StatusCode}");
            // The service's plain fallback (or, for a path that looks like a file such as openapi.json, an empty 404).
            var text = await response.Content.ReadAsStringAsync();
            Assert.Contains(text, new[] { "Not found.\n", "" });
        }
    }

    [Fact]
    public async Task Without_a_configured_token_every_admin_route_answers_404_saying_the_admin_api_is_off()
    {
        await using var admin = await AdminService.StartAsync(config => config.Able.Remove("Admin"));
        var routes = admin.Routes();
        Assert.All(Required, required => Assert.Contains(required, routes));

        foreach (var (method, path) in routes)
        {
            foreach (var token in new[] { null, AdminService.Token })
            {
                using var response = await admin.SendAsync(new HttpMethod(method), path, token, method is "POST" or "DELETE" ? ContactJson : null);
                var (status, problem) = await AdminService.ProblemAsync(response);
                Assert.True(status == HttpStatusCode.NotFound, $"{method} {path}: {(int)status} {problem}");
                Assert.Equal("the admin API is off: set Able:Admin:Token", (string?)problem["detail"]);
            }
        }
    }

    [Theory]
    [InlineData(null, "The admin API and console are off: Able:Admin:Token is not set")]
    [InlineData(AdminService.Token, "The admin API (/admin/api) and console are on, on the management port http://127.0.0.1:9081 only")]
    public async Task The_service_says_at_start_whether_the_admin_api_and_console_are_on(string? token, string expected)
    {
        var options = new AbleOptions { Admin = new AdminOptions { Token = token } };
        var monitor = new FixedOptions(options);
        var logger = new FakeLogger<AdminStateLog>();

        await new AdminStateLog(new AdminToken(monitor), monitor, logger).StartAsync(CancellationToken.None);

        var record = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(LogLevel.Information, record.Level);
        Assert.StartsWith(expected, record.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(AdminService.Token, record.Message, StringComparison.Ordinal);
    }

    private sealed class FixedOptions(AbleOptions value) : IOptionsMonitor<AbleOptions>
    {
        public AbleOptions CurrentValue { get; } = value;

        public AbleOptions Get(string? name) => CurrentValue;

        public IDisposable? OnChange(Action<AbleOptions, string?> listener) => null;
    }
}
