using System.Net;
using System.Text.Json.Nodes;
using Able.FunctionalTests.Ingress;
using Able.Schema.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Able.FunctionalTests.Secrets;

/// <summary>
/// The secrets overlay on a running attribution service: a key written there is used without a restart, the environment
/// still overrides it, a funnel moved in able.json keeps its secrets, and a replaced key is accepted only for its grace period.
/// </summary>
public sealed class SecretsOverlayTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);
    private static readonly byte[] Booking = Fixtures.Bytes("calendly/invitee-created-free.json");

    private static async Task<HttpStatusCode> PostAsync(RunningService service, string mark, string key)
    {
        using var request = IngressHarness.Webhook("calendly", mark, Booking, key);
        request.RequestUri = new Uri(service.PublicBase, request.RequestUri!.OriginalString);
        using var response = await service.Client.SendAsync(request);
        return response.StatusCode;
    }

    private static Task<bool> AcceptsAsync(RunningService service, string mark, string key) =>
        Eventually.TrueAsync(async () => await PostAsync(service, mark, key) == HttpStatusCode.Accepted, Within);

    private static Task<bool> RefusesAsync(RunningService service, string mark, string key) =>
        Eventually.TrueAsync(async () => await PostAsync(service, mark, key) == HttpStatusCode.Unauthorized, Within);

    private static Dictionary<string, string?> Settings(params (string Key, string? Value)[] settings) =>
        settings.ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);

    [Fact]
    public async Task A_key_written_to_the_overlay_is_used_without_a_restart_and_the_old_one_is_refused()
    {
        var redis = await RedisTestServer.GetAsync();
        using var config = TestConfig.Create(redis.ConnectionString);
        await using var service = await RunningService.StartAttributionAsync(config);
        Assert.Equal(HttpStatusCode.Accepted, await PostAsync(service, "acme", "test-calendly-key"));

        await new SecretsOverlayFile(config.SecretsPath).SetAsync("acme", Settings(("Calendly:SigningKey", "from-the-overlay")));

        Assert.True(await AcceptsAsync(service, "acme", "from-the-overlay"), "the overlay's key was not taken up");
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(service, "acme", "test-calendly-key"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(config.SecretsPath));
        }
    }

    [Fact]
    public async Task A_replaced_key_is_accepted_until_its_grace_period_ends()
    {
        var redis = await RedisTestServer.GetAsync();
        using var config = TestConfig.Create(redis.ConnectionString);
        await using var service = await RunningService.StartAttributionAsync(config);
        var overlay = new SecretsOverlayFile(config.SecretsPath);

        await overlay.SetAsync("acme", Settings(
            ("Calendly:SigningKey", "new-key"),
            ("Calendly:PreviousSigningKey", "test-calendly-key"),
            ("Calendly:PreviousSigningKeyValidUntil", DateTimeOffset.UtcNow.AddMinutes(10).ToString("O"))));
        Assert.True(await AcceptsAsync(service, "acme", "new-key"));
        Assert.Equal(HttpStatusCode.Accepted, await PostAsync(service, "acme", "test-calendly-key"));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(service, "acme", "some-other-key"));

        // The grace period ends (written as ended, so the test does not wait): the old key is refused, the new one still works.
        await overlay.SetAsync("acme", Settings(("Calendly:PreviousSigningKeyValidUntil", DateTimeOffset.UtcNow.AddSeconds(-1).ToString("O"))));
        Assert.True(await RefusesAsync(service, "acme", "test-calendly-key"), "the old key was still accepted after its grace period");
        Assert.Equal(HttpStatusCode.Accepted, await PostAsync(service, "acme", "new-key"));
    }

    [Fact]
    public async Task Secrets_follow_their_mark_when_able_json_moves_the_funnel()
    {
        var redis = await RedisTestServer.GetAsync();
        using var config = TestConfig.Create(redis.ConnectionString);
        config.Able["Funnels"]!.AsArray().Add(new JsonObject
        {
            ["Mark"] = "shop",
            ["Hosts"] = new JsonArray("shop.test"),
            ["Origin"] = "http://127.0.0.1:9",
            ["Calendly"] = new JsonObject { ["SigningKey"] = "shop-key-in-able-json" },
        });
        config.Write();
        await new SecretsOverlayFile(config.SecretsPath).SetAsync("shop", Settings(("Calendly:SigningKey", "shop-overlay-key")));
        await using var service = await RunningService.StartAttributionAsync(config);
        Assert.Equal(HttpStatusCode.Accepted, await PostAsync(service, "shop", "shop-overlay-key"));

        // shop moves to the front of the list: its overlay key moves with it, acme keeps its own.
        var funnels = config.Able["Funnels"]!.AsArray();
        var shop = funnels[1]!;
        funnels.RemoveAt(1);
        funnels.Insert(0, shop);
        config.Write();
        Assert.True(await Eventually.TrueAsync(async () =>
            await PostAsync(service, "acme", "test-calendly-key") == HttpStatusCode.Accepted
            && await PostAsync(service, "shop", "shop-overlay-key") == HttpStatusCode.Accepted
            && await PostAsync(service, "acme", "shop-overlay-key") == HttpStatusCode.Unauthorized, Within));
    }

    [Fact]
    public async Task The_command_line_overrides_the_overlay_and_a_broken_overlay_keeps_the_last_good_keys()
    {
        var redis = await RedisTestServer.GetAsync();
        using var config = TestConfig.Create(redis.ConnectionString);
        config.Write();
        var overlay = new SecretsOverlayFile(config.SecretsPath);
        await overlay.SetAsync("acme", Settings(("Calendly:SigningKey", "overlay-key")));
        var app = Able.Attribution.Service.AttributionApp.Build(["--config", config.FilePath, "--Able:Funnels:0:Calendly:SigningKey=argument-key"]);
        await using (app)
        {
            var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<AbleOptions>>();
            Assert.Equal("argument-key", options.CurrentValue.Funnels[0].Calendly.SigningKey);
        }

        await using var service = await RunningService.StartAttributionAsync(config);
        Assert.Equal(HttpStatusCode.Accepted, await PostAsync(service, "acme", "overlay-key"));
        await File.WriteAllTextAsync(config.SecretsPath, "{ \"Funnels\": { \"acme\": ");
        await Task.Delay(1500);
        Assert.Equal(HttpStatusCode.Accepted, await PostAsync(service, "acme", "overlay-key"));
    }
}
