using System.Net;
using System.Text.Json.Nodes;
using Able.Attribution.Calendly.Api;
using Able.Attribution.Service.Commands;
using Able.FunctionalTests.Ingress;
using Able.Schema.Configuration;

namespace Able.FunctionalTests.Calendly;

/// <summary><c>./able calendly connect|status</c> against the fake Calendly, with real Redis and a running attribution service.</summary>
public sealed class CalendlyCommandTests
{
    private const string Url = "https://book.example.com/calendly-webhook/acme";

    [Fact]
    public async Task Connect_creates_one_subscription_whose_key_the_running_service_accepts_and_a_second_connect_retires_the_first_key()
    {
        await using var scenario = await Scenario.StartAsync(graceMinutes: 0);
        await using var service = await RunningService.StartAttributionAsync(scenario.Config);

        var first = await scenario.ConnectAsync();

        Assert.True(first.Code == 0, first.ToString());
        Assert.Equal(1, scenario.Fake.CountFor(Url));
        var firstKey = scenario.Overlay.Get("acme", CalendlySecrets.SigningKey);
        Assert.Equal(scenario.Fake.SigningKeyFor(Url), firstKey);
        Assert.Contains($"Able__Funnels__0__Calendly__SigningKey={firstKey}", first.Output, StringComparison.Ordinal);
        Assert.Contains(scenario.Fake.Subscriptions[0].Uuid, first.Output, StringComparison.Ordinal);
        Assert.Contains("active", first.Output, StringComparison.Ordinal);
        Assert.Equal(FakeCalendly.DefaultToken, scenario.Overlay.Get("acme", CalendlySecrets.ApiToken));
        Assert.Equal(Url, scenario.Overlay.Get("acme", CalendlySecrets.WebhookUrl));
        Assert.Equal("organization", scenario.Overlay.Get("acme", CalendlySecrets.SubscriptionScope));
        Assert.Null(scenario.Overlay.Get("acme", CalendlySecrets.PreviousSigningKey));
        Assert.True(await AcceptedSoonAsync(service, firstKey!), "the new key was not accepted without a restart");
        Assert.Equal(HttpStatusCode.Unauthorized, await DeliverAsync(service, "test-calendly-key"));

        var second = await scenario.ConnectAsync();

        Assert.True(second.Code == 0, second.ToString());
        Assert.Equal(1, scenario.Fake.CountFor(Url));
        Assert.Contains("Replaced 1", second.Output, StringComparison.Ordinal);
        var secondKey = scenario.Fake.SigningKeyFor(Url);
        Assert.NotEqual(firstKey, secondKey);
        Assert.Equal(secondKey, scenario.Overlay.Get("acme", CalendlySecrets.SigningKey));
        Assert.Equal(firstKey, scenario.Overlay.Get("acme", CalendlySecrets.PreviousSigningKey));
        Assert.True(await AcceptedSoonAsync(service, secondKey), "the second key was not accepted without a restart");
        // A grace of 0 minutes: the first key's ValidUntil is already past.
        Assert.Equal(HttpStatusCode.Unauthorized, await DeliverAsync(service, firstKey!));
    }

    [Fact]
    public async Task The_replaced_key_is_accepted_until_its_ValidUntil()
    {
        await using var scenario = await Scenario.StartAsync(graceMinutes: 60);
        await using var service = await RunningService.StartAttributionAsync(scenario.Config);
        Assert.Equal(0, (await scenario.ConnectAsync()).Code);
        var firstKey = scenario.Fake.SigningKeyFor(Url);
        var before = DateTimeOffset.UtcNow;

        var second = await scenario.ConnectAsync();

        Assert.True(second.Code == 0, second.ToString());
        var secondKey = scenario.Fake.SigningKeyFor(Url);
        Assert.True(await AcceptedSoonAsync(service, secondKey), "the second key was not accepted without a restart");
        Assert.Equal(HttpStatusCode.Accepted, await DeliverAsync(service, firstKey));
        var validUntil = DateTimeOffset.Parse(scenario.Overlay.Get("acme", CalendlySecrets.PreviousSigningKeyValidUntil)!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(validUntil, before.AddMinutes(60), DateTimeOffset.UtcNow.AddMinutes(60));
    }

    [Fact]
    public async Task The_subscription_for_the_URL_on_page_two_is_replaced_not_duplicated()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Fake.Seed("https://one.example.com/calendly-webhook/one");
        scenario.Fake.Seed("https://two.example.com/calendly-webhook/two");
        scenario.Fake.Seed(Url, signingKey: "lost-key");

        var run = await scenario.ConnectAsync();

        Assert.True(run.Code == 0, run.ToString());
        Assert.Contains("Replaced 1", run.Output, StringComparison.Ordinal);
        Assert.Equal(1, scenario.Fake.CountFor(Url));
        Assert.Equal(3, scenario.Fake.Subscriptions.Count);
        Assert.Equal(scenario.Fake.SigningKeyFor(Url), scenario.Overlay.Get("acme", CalendlySecrets.SigningKey));
        Assert.Contains(scenario.Fake.Requests, r => r.PathAndQuery.Contains("page_token=2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_bad_token_exits_3_naming_the_token_and_never_showing_it()
    {
        await using var scenario = await Scenario.StartAsync();
        const string Wrong = "not-the-token-4711";

        var run = await scenario.ConnectAsync("--token", Wrong);

        Assert.Equal(CalendlyCommand.BadTokenExitCode, run.Code);
        Assert.Contains("token", run.Error, StringComparison.Ordinal);
        Assert.Contains("CALENDLY_TOKEN", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Wrong, run.Error + run.Output, StringComparison.Ordinal);
        Assert.Empty(scenario.Fake.Subscriptions);
        Assert.False(File.Exists(scenario.Config.SecretsPath));
    }

    [Fact]
    public async Task A_plan_without_webhooks_exits_4_and_suggests_user_scope()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Fake.WebhooksOnPlan = false;

        var run = await scenario.ConnectAsync();

        Assert.Equal(CalendlyCommand.ForbiddenExitCode, run.Code);
        Assert.Contains("--scope user", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(scenario.Config.SecretsPath));
    }

    [Fact]
    public async Task User_scope_is_subscribed_and_stored()
    {
        await using var scenario = await Scenario.StartAsync();

        var run = await scenario.ConnectAsync("--scope", "user");

        Assert.True(run.Code == 0, run.ToString());
        Assert.Equal(scenario.Fake.UserUri, Assert.Single(scenario.Fake.Subscriptions).User);
        Assert.Equal("user", scenario.Overlay.Get("acme", CalendlySecrets.SubscriptionScope));
    }

    [Fact]
    public async Task A_429_with_Retry_After_delays_the_connect_and_does_not_fail_it()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Fake.QueueRateLimit(TimeSpan.FromSeconds(1));

        var run = await scenario.ConnectAsync();

        Assert.True(run.Code == 0, run.ToString());
        Assert.Contains("waiting 1 s", run.Output, StringComparison.Ordinal);
        var requests = scenario.Fake.Requests.ToArray();
        Assert.Equal(429, requests[0].Status);
        Assert.Equal(requests[0].PathAndQuery, requests[1].PathAndQuery);
        Assert.True(requests[1].At - requests[0].At >= TimeSpan.FromSeconds(0.95), $"retried after {requests[1].At - requests[0].At}");
        Assert.Equal(1, scenario.Fake.CountFor(Url));
    }

    [Fact]
    public async Task A_rate_limit_longer_than_allowed_exits_6()
    {
        await using var scenario = await Scenario.StartAsync(maxRateLimitWaitSeconds: 2);
        scenario.Fake.QueueRateLimitReset(TimeSpan.FromSeconds(60));

        var run = await scenario.ConnectAsync();

        Assert.Equal(CalendlyCommand.RateLimitedExitCode, run.Code);
        Assert.Single(scenario.Fake.Requests);
    }

    [Fact]
    public async Task An_unreachable_Calendly_exits_5_naming_the_base_URL()
    {
        await using var scenario = await Scenario.StartAsync();
        var closed = $"http://127.0.0.1:{FreePort.Next()}";
        scenario.Config.Able["Attribution"]!["Calendly"]!["ApiBaseUrl"] = closed;
        scenario.Config.Write();

        var run = await scenario.ConnectAsync();

        Assert.Equal(CalendlyCommand.UnreachableExitCode, run.Code);
        Assert.Contains(closed, run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--url", "http://book.example.com/calendly-webhook/acme", "https://")]
    [InlineData("--url", "/calendly-webhook/acme", "absolute")]
    [InlineData("--funnel", "nope", "no funnel")]
    [InlineData("--scope", "group", "--scope")]
    [InlineData("--colour", "blue", "unknown option")]
    public async Task Bad_arguments_exit_64_with_the_usage(string option, string value, string expected)
    {
        await using var scenario = await Scenario.StartAsync();
        var args = option == "--funnel"
            ? new[] { "connect", "--funnel", value, "--token", FakeCalendly.DefaultToken, "--config", scenario.Config.FilePath }
            : ["connect", "--funnel", "acme", "--token", FakeCalendly.DefaultToken, "--config", scenario.Config.FilePath, option, value];

        var run = await Run(args);

        Assert.Equal(CalendlyCommand.UsageExitCode, run.Code);
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
        Assert.Contains("usage: ./able calendly connect", run.Error, StringComparison.Ordinal);
        Assert.Empty(scenario.Fake.Requests);
    }

    [Fact]
    public async Task Connect_without_a_funnel_exits_64_and_an_invalid_configuration_exits_2()
    {
        await using var scenario = await Scenario.StartAsync();
        Assert.Equal(CalendlyCommand.UsageExitCode, (await Run("connect", "--token", "x", "--config", scenario.Config.FilePath)).Code);

        scenario.Config.Funnel["Mark"] = "Not A Mark!";
        scenario.Config.Write();
        var invalid = await Run("connect", "--funnel", "acme", "--token", "x", "--config", scenario.Config.FilePath);

        Assert.Equal(2, invalid.Code);
        Assert.Empty(scenario.Fake.Requests);
    }

    [Fact]
    public async Task Status_shows_the_active_subscription_the_last_delivery_and_that_the_key_matches_then_flags_a_disabled_one()
    {
        await using var scenario = await Scenario.StartAsync();
        await using var service = await RunningService.StartAttributionAsync(scenario.Config);
        Assert.Equal(0, (await scenario.ConnectAsync()).Code);
        var key = scenario.Fake.SigningKeyFor(Url);
        Assert.True(await AcceptedSoonAsync(service, key), "the new key was not accepted");
        var redis = await RedisTestServer.GetAsync();
        Assert.True(await Eventually.TrueAsync(
            async () => await redis.Multiplexer.GetDatabase().KeyExistsAsync($"{scenario.Config.KeyPrefix}calendly:acme:last-delivery"),
            TimeSpan.FromSeconds(5)), "the ingress recorded no last delivery");

        var status = await scenario.StatusAsync();

        Assert.True(status.Code == 0, status.ToString());
        Assert.Contains(scenario.Fake.Subscriptions[0].Uuid, status.Output, StringComparison.Ordinal);
        Assert.Contains(": active, retry_started_at none", status.Output, StringComparison.Ordinal);
        Assert.Matches(@"last delivery: \d{4}-\d\d-\d\dT", status.Output);
        Assert.Contains("signing key: matches", status.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(key, status.Output + status.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeCalendly.DefaultToken, status.Output + status.Error, StringComparison.Ordinal);

        scenario.Fake.Disable(Url);
        var disabled = await scenario.StatusAsync();

        Assert.Equal(1, disabled.Code);
        Assert.Contains(": disabled, retry_started_at 20", disabled.Output, StringComparison.Ordinal);
        Assert.Contains("NOT active", disabled.Output, StringComparison.Ordinal);

        scenario.Fake.Remove(Url);
        var removed = await scenario.StatusAsync();

        Assert.Equal(1, removed.Code);
        Assert.Contains("no subscription posts to this URL", removed.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_of_a_funnel_without_a_token_says_how_to_connect_it()
    {
        await using var scenario = await Scenario.StartAsync();

        var status = await scenario.StatusAsync();

        Assert.Equal(0, status.Code);
        Assert.Contains("./able calendly connect --funnel acme --token", status.Output, StringComparison.Ordinal);
        Assert.Empty(scenario.Fake.Requests);
    }

    private static async Task<bool> AcceptedSoonAsync(RunningService service, string key) =>
        await Eventually.TrueAsync(async () => await DeliverAsync(service, key) == HttpStatusCode.Accepted, TimeSpan.FromSeconds(10));

    private static async Task<HttpStatusCode> DeliverAsync(RunningService service, string key)
    {
        using var request = IngressHarness.Webhook("calendly", "acme", Fixtures.Bytes("calendly/invitee-created-free.json"), key);
        request.RequestUri = new Uri(service.PublicBase, request.RequestUri!.OriginalString);
        using var response = await service.Client.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<CommandResult> Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CalendlyCommand.RunAsync(args, output, error);
        return new CommandResult(code, output.ToString(), error.ToString());
    }

    private sealed record CommandResult(int Code, string Output, string Error)
    {
        public override string ToString() => $"exit {Code}\n{Output}\n{Error}";
    }

    /// <summary>A fake Calendly and a configuration pointing at it (webhook URL <see cref="Url"/>), on the shared test Redis.</summary>
    private sealed class Scenario : IAsyncDisposable
    {
        private Scenario(FakeCalendly fake, TestConfig config)
        {
            Fake = fake;
            Config = config;
        }

        public FakeCalendly Fake { get; }

        public TestConfig Config { get; }

        public SecretsOverlayFile Overlay => new(Config.SecretsPath);

        public static async Task<Scenario> StartAsync(int graceMinutes = 60, int maxRateLimitWaitSeconds = 10)
        {
            var redis = await RedisTestServer.GetAsync();
            var fake = await FakeCalendly.StartAsync();
            var config = TestConfig.Create(redis.ConnectionString);
            config.Able["Attribution"]!["Calendly"] = new JsonObject
            {
                ["ApiBaseUrl"] = fake.BaseUrl,
                ["WebhookBaseUrl"] = "https://book.example.com",
                ["SigningKeyGraceMinutes"] = graceMinutes,
                ["MaxRateLimitWaitSeconds"] = maxRateLimitWaitSeconds,
                ["RequestTimeoutMilliseconds"] = 5000,
                ["WatchdogEnabled"] = false,
            };
            config.Write();
            return new Scenario(fake, config);
        }

        public Task<CommandResult> ConnectAsync(params string[] extra) =>
            Run([.. new[] { "connect", "--funnel", "acme", "--config", Config.FilePath }, .. extra.Contains("--token") ? [] : new[] { "--token", FakeCalendly.DefaultToken }, .. extra]);

        public Task<CommandResult> StatusAsync() => Run("status", "--config", Config.FilePath);

        public async ValueTask DisposeAsync()
        {
            await Fake.DisposeAsync();
            Config.Dispose();
        }
    }
}
