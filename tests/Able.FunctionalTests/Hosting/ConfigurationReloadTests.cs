using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Able.FunctionalTests.Capture;

namespace Able.FunctionalTests.Hosting;

/// <summary>
/// The config file is watched. An edit that breaks it must not take pages down: it is refused (log and
/// metric) and the last valid configuration stays in force until a valid edit is applied.
/// </summary>
public sealed partial class ConfigurationReloadTests
{
    [Fact]
    public async Task A_broken_edit_is_refused_and_pages_keep_working_until_a_valid_edit_applies()
    {
        await using var origin = await RecordingOrigin.StartAsync();
        var redis = await RedisTestServer.GetAsync();
        using var config = TestConfig.Create(redis.ConnectionString, origin.Url);
        await using var gateway = await RunningService.StartGatewayAsync(config);

        async Task<HttpStatusCode> GetAsync(string host) => (await PageAsync(host)).Status;

        async Task<(HttpStatusCode Status, bool Captured)> PageAsync(string host)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(gateway.PublicBase, "/page"));
            request.Headers.Host = host;
            request.Headers.Accept.ParseAdd("text/html");
            request.Headers.UserAgent.ParseAdd("Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0");
            using var response = await gateway.Client.SendAsync(request);
            var captured = response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("able_vid=", StringComparison.Ordinal));
            return (response.StatusCode, captured);
        }

        async Task<int> ReloadsAsync(string outcome)
        {
            var metrics = await gateway.Client.GetStringAsync(new Uri(gateway.ManagementBase, "/metrics"));
            var match = Regex.Match(metrics, $"able_config_reloads_total{{outcome=\"{outcome}\"}} (\\d+)");
            return match.Success ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        }

        Assert.Equal(HttpStatusCode.OK, await GetAsync("localhost"));

        // Break it: a funnel without hosts does not validate.
        config.Funnel["Hosts"] = new JsonArray();
        config.Write();
        Assert.True(await Eventually.TrueAsync(async () => await ReloadsAsync("rejected") > 0, TimeSpan.FromSeconds(20)), "the broken edit was not seen");
        Assert.Equal(HttpStatusCode.OK, await GetAsync("localhost"));

        // Fix it and add a funnel: the valid edit applies everywhere, routing and capture alike.
        config.Funnel["Hosts"] = new JsonArray("localhost", "127.0.0.1");
        config.Able["Funnels"]!.AsArray().Add(new JsonObject { ["Mark"] = "shop", ["Hosts"] = new JsonArray("shop.test"), ["Origin"] = origin.Url });
        config.Write();
        Assert.True(await Eventually.TrueAsync(async () => await PageAsync("shop.test") == (HttpStatusCode.OK, true), TimeSpan.FromSeconds(20)), "the valid edit was not applied");
        Assert.True(await Eventually.TrueAsync(async () => await ReloadsAsync("applied") > 0, TimeSpan.FromSeconds(20)), "the applied edit was not counted");
        Assert.Equal(HttpStatusCode.OK, await GetAsync("localhost"));
    }
}
