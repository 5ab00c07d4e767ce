using Able.Attribution.Calendly.Api;
using Able.Hosting.Configuration;
using Able.Schema.Configuration;

namespace Able.FunctionalTests.Calendly;

/// <summary>The Calendly API client and connector against the fake Calendly on real Kestrel.</summary>
public sealed class CalendlyApiClientTests
{
    private const string Callback = "https://book.example.com/calendly-webhook/acme";

    [Fact]
    public async Task The_current_user_and_organization_are_read()
    {
        await using var fake = await FakeCalendly.StartAsync();
        using var http = new HttpClient();

        var user = await Client(http, fake).GetCurrentUserAsync(FakeCalendly.DefaultToken, CancellationToken.None);

        Assert.True(user.Succeeded, user.Error?.Message);
        Assert.Equal(new CalendlyUser(fake.UserUri, fake.OrganizationUri), user.Value);
    }

    [Fact]
    public async Task A_wrong_token_is_unauthorized_and_the_message_never_holds_it()
    {
        await using var fake = await FakeCalendly.StartAsync();
        using var http = new HttpClient();
        const string Wrong = "wrong-token-0123456789";

        var user = await Client(http, fake).GetCurrentUserAsync(Wrong, CancellationToken.None);

        Assert.Equal(CalendlyApiFailure.Unauthorized, user.Error?.Kind);
        Assert.Equal(401, user.Error?.HttpStatus);
        Assert.Contains("token", user.Error!.Message, StringComparison.Ordinal);
        Assert.Contains("The access token is invalid", user.Error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Wrong, user.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_page_is_read_and_the_subscription_on_page_two_is_found()
    {
        await using var fake = await FakeCalendly.StartAsync();
        using var http = new HttpClient();
        fake.Seed("https://one.example.com/calendly-webhook/a");
        fake.Seed("https://two.example.com/calendly-webhook/b");
        fake.Seed(Callback);
        fake.Seed("https://user.example.com/calendly-webhook/c", scope: "user");
        var connector = new CalendlyConnector(Client(http, fake));

        var found = await connector.FindAsync(FakeCalendly.DefaultToken, Callback, "organization", CancellationToken.None);

        Assert.True(found.Succeeded, found.Error?.Message);
        Assert.Equal(Callback, Assert.Single(found.Value.Subscriptions).CallbackUrl);
        Assert.Equal(2, fake.Requests.Count(r => r.PathAndQuery.StartsWith("/webhook_subscriptions?", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Replace_creates_one_subscription_and_a_second_replace_leaves_one_with_a_new_key()
    {
        await using var fake = await FakeCalendly.StartAsync();
        using var http = new HttpClient();
        var connector = new CalendlyConnector(Client(http, fake));

        var first = await connector.ReplaceAsync(FakeCalendly.DefaultToken, Callback, "organization", CancellationToken.None);
        var second = await connector.ReplaceAsync(FakeCalendly.DefaultToken, Callback, "organization", CancellationToken.None);

        Assert.True(first.Succeeded && second.Succeeded, first.Error?.Message ?? second.Error?.Message);
        Assert.Equal(0, first.Value.Replaced);
        Assert.Equal(1, second.Value.Replaced);
        Assert.Equal(1, fake.CountFor(Callback));
        Assert.Equal(second.Value.SigningKey, fake.SigningKeyFor(Callback));
        Assert.NotEqual(first.Value.SigningKey, second.Value.SigningKey);
        Assert.Matches("^[0-9a-f]{64}$", second.Value.SigningKey);
        Assert.Equal(CalendlyApiClient.WebhookEvents, second.Value.Subscription.Events);
        Assert.Equal("active", second.Value.Subscription.State);
    }

    [Fact]
    public async Task User_scope_subscriptions_name_the_user()
    {
        await using var fake = await FakeCalendly.StartAsync();
        using var http = new HttpClient();

        var replaced = await new CalendlyConnector(Client(http, fake)).ReplaceAsync(FakeCalendly.DefaultToken, Callback, "user", CancellationToken.None);

        Assert.True(replaced.Succeeded, replaced.Error?.Message);
        Assert.Equal(fake.UserUri, Assert.Single(fake.Subscriptions).User);
        Assert.Equal("user", replaced.Value.Subscription.Scope);
    }

    [Fact]
    public async Task Deleting_a_subscription_that_is_gone_counts_as_done()
    {
        await using var fake = await FakeCalendly.StartAsync();
        using var http = new HttpClient();

        var deleted = await Client(http, fake).DeleteSubscriptionAsync(FakeCalendly.DefaultToken, $"{fake.BaseUrl}/webhook_subscriptions/{Guid.NewGuid()}", CancellationToken.None);

        Assert.True(deleted.Succeeded, deleted.Error?.Message);
        Assert.Equal(404, Assert.Single(fake.Requests).Status);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_429_is_waited_out_then_retried(bool retryAfter)
    {
        await using var fake = await FakeCalendly.StartAsync();
        using var http = new HttpClient();
        if (retryAfter)
        {
            fake.QueueRateLimit(TimeSpan.FromSeconds(1));
        }
        else
        {
            fake.QueueRateLimitReset(TimeSpan.FromSeconds(1));
        }

        var waits = new List<TimeSpan>();
        var client = Client(http, fake);
        client.RateLimitWaiting = waits.Add;

        var user = await client.GetCurrentUserAsync(FakeCalendly.DefaultToken, CancellationToken.None);

        Assert.True(user.Succeeded, user.Error?.Message);
        Assert.Equal([TimeSpan.FromSeconds(1)], waits);
        var requests = fake.Requests.ToArray();
        Assert.Equal([429, 200], requests.Select(r => r.Status));
        Assert.True(requests[1].At - requests[0].At >= TimeSpan.FromSeconds(0.95), $"retried after {requests[1].At - requests[0].At}");
    }

    [Fact]
    public async Task A_read_is_sent_again_after_server_errors_and_a_create_is_not()
    {
        await using var fake = await FakeCalendly.StartAsync();
        using var http = new HttpClient();
        var client = Client(http, fake);
        fake.QueueServerError();
        fake.QueueServerError(502);

        var user = await client.GetCurrentUserAsync(FakeCalendly.DefaultToken, CancellationToken.None);

        Assert.True(user.Succeeded, user.Error?.Message);
        var reads = fake.Requests.ToArray();
        Assert.Equal([503, 502, 200], reads.Select(r => r.Status));
        Assert.True(reads[1].At - reads[0].At >= TimeSpan.FromSeconds(0.95), "the first retry did not wait");
        Assert.True(reads[2].At - reads[1].At >= TimeSpan.FromSeconds(1.9), "the second retry did not back off");

        // A third server error in a row is the answer; a create is never repeated (Calendly may have made it).
        fake.QueueServerError();
        fake.QueueServerError();
        fake.QueueServerError();
        var failed = await client.GetCurrentUserAsync(FakeCalendly.DefaultToken, CancellationToken.None);
        Assert.Equal(CalendlyApiFailure.Unexpected, failed.Error?.Kind);
        Assert.Contains("503", failed.Error!.Message, StringComparison.Ordinal);
        fake.QueueServerError();
        var before = fake.Requests.Count;
        var created = await client.CreateSubscriptionAsync(FakeCalendly.DefaultToken, user.Value, "organization", "https://book.example.com/calendly-webhook/acme", CalendlyConnector.NewSigningKey(), CancellationToken.None);
        Assert.False(created.Succeeded);
        Assert.Equal(before + 1, fake.Requests.Count);
    }

    [Fact]
    public async Task A_429_longer_than_allowed_fails_without_another_request()
    {
        await using var fake = await FakeCalendly.StartAsync();
        using var http = new HttpClient();
        fake.QueueRateLimit(TimeSpan.FromSeconds(30));

        var user = await Client(http, fake, maxWaitSeconds: 5).GetCurrentUserAsync(FakeCalendly.DefaultToken, CancellationToken.None);

        Assert.Equal(CalendlyApiFailure.RateLimited, user.Error?.Kind);
        Assert.Contains("MaxRateLimitWaitSeconds", user.Error!.Message, StringComparison.Ordinal);
        Assert.Single(fake.Requests);
    }

    [Fact]
    public async Task A_plan_without_webhooks_is_forbidden_and_suggests_user_scope()
    {
        await using var fake = await FakeCalendly.StartAsync();
        using var http = new HttpClient();
        fake.WebhooksOnPlan = false;

        var replaced = await new CalendlyConnector(Client(http, fake)).ReplaceAsync(FakeCalendly.DefaultToken, Callback, "organization", CancellationToken.None);

        Assert.Equal(CalendlyApiFailure.Forbidden, replaced.Error?.Kind);
        Assert.Contains("--scope user", replaced.Error!.Message, StringComparison.Ordinal);
        Assert.Contains("Permission Denied", replaced.Error.Message, StringComparison.Ordinal);
        Assert.Empty(fake.Subscriptions);
    }

    [Fact]
    public async Task An_unreachable_API_is_a_network_failure_naming_the_base_URL()
    {
        using var http = new HttpClient();
        var baseUrl = $"http://127.0.0.1:{FreePort.Next()}";
        var client = new CalendlyApiClient(http, Options(baseUrl, 5), TimeProvider.System);

        var user = await client.GetCurrentUserAsync(FakeCalendly.DefaultToken, CancellationToken.None);

        Assert.Equal(CalendlyApiFailure.Network, user.Error?.Kind);
        Assert.Contains(baseUrl, user.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_attribution_service_provides_a_connector_using_its_configured_API()
    {
        await using var fake = await FakeCalendly.StartAsync();
        var redis = await RedisTestServer.GetAsync();
        using var config = TestConfig.Create(redis.ConnectionString);
        config.Able["Attribution"]!["Calendly"] = new System.Text.Json.Nodes.JsonObject { ["ApiBaseUrl"] = fake.BaseUrl, ["WatchdogEnabled"] = false };
        await using var service = await RunningService.StartAttributionAsync(config);
        var connector = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<CalendlyConnector>(service.Services);

        var replaced = await connector.ReplaceAsync(FakeCalendly.DefaultToken, Callback, "organization", CancellationToken.None);

        Assert.True(replaced.Succeeded, replaced.Error?.Message);
        Assert.Equal(replaced.Value.SigningKey, fake.SigningKeyFor(Callback));
    }

    private static CalendlyApiClient Client(HttpClient http, FakeCalendly fake, int maxWaitSeconds = 10) =>
        new(http, Options(fake.BaseUrl, maxWaitSeconds), TimeProvider.System);

    private static FixedOptionsMonitor<AbleOptions> Options(string baseUrl, int maxWaitSeconds) => new(new AbleOptions
    {
        Attribution = new AttributionOptions
        {
            Calendly = new CalendlyApiOptions { ApiBaseUrl = baseUrl, MaxRateLimitWaitSeconds = maxWaitSeconds, RequestTimeoutMilliseconds = 5000 },
        },
    });
}
