using System.Text.Json.Nodes;
using Able.Attribution.Service.Commands;

namespace Able.FunctionalTests.TikTok;

/// <summary>
/// <c>./able tiktok check</c> (the attribution service's <c>tiktok check</c> command) against the fake Events API on loopback:
/// one test event with the funnel's pixel, token and a test event code, and TikTok's answer explained with an exit code.
/// </summary>
public sealed class TikTokCheckCommandTests
{
    private const string Token = "check-secret-token-5f1e";
    private const string Pixel = "CTESTPIXEL0000000000";

    [Fact]
    public async Task Check_sends_one_test_Schedule_event_to_the_funnels_pixel_and_reports_the_answer()
    {
        await using var tikTok = await FakeTikTok.StartAsync();
        using var config = Config(tikTok, testEventCode: "TEST12345");

        var (exitCode, output) = await RunAsync("check", "--funnel", "acme", "--config", config.FilePath);

        Assert.True(exitCode == 0, output);
        Assert.Contains("code 0", output, StringComparison.Ordinal);
        Assert.Contains("Test Events", output, StringComparison.Ordinal);
        Assert.Contains("TEST12345", output, StringComparison.Ordinal);
        var request = Assert.Single(tikTok.Requests);
        Assert.Empty(tikTok.Violations);
        Assert.Equal(Token, request.AccessToken);
        Assert.Equal("TEST12345", (string?)request.Body["test_event_code"]);
        Assert.Equal(Pixel, (string?)request.Body["event_source_id"]);
        var sent = Assert.Single(request.Events);
        Assert.Equal("Schedule", (string?)sent["event"]);
        Assert.StartsWith("able-check:", (string?)sent["event_id"], StringComparison.Ordinal);
        Assert.Contains((string)sent["event_id"]!, output, StringComparison.Ordinal);
        Assert.InRange((long)sent["event_time"]!, DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.Equal("https://book.example.com/", (string?)sent["page"]!["url"]);
        var user = sent["user"]!.AsObject();
        Assert.Equal(new[] { "external_id" }, user.Select(p => p.Key).ToArray());
        Assert.DoesNotContain(Token, output, StringComparison.Ordinal);

        // --test-event-code wins over the configured one; every check is a new event (TikTok would drop a repeated event_id).
        var (againExitCode, again) = await RunAsync("check", "--funnel=acme", "--test-event-code=TEST999", "--config", config.FilePath);
        Assert.True(againExitCode == 0, again);
        Assert.Equal(2, tikTok.Requests.Count);
        var second = tikTok.Requests.Last();
        Assert.Equal("TEST999", (string?)second.Body["test_event_code"]);
        Assert.NotEqual((string?)request.Events[0]["event_id"], (string?)second.Events[0]["event_id"]);
        Assert.NotEqual(user["external_id"]!.ToJsonString(), second.Events[0]["user"]!["external_id"]!.ToJsonString());
    }

    [Theory]
    [InlineData(40105L, "invalid")]
    [InlineData(40106L, "expired")]
    [InlineData(40104L, "missing")]
    public async Task A_refused_token_exits_3_naming_the_access_token_without_printing_it(long code, string problem)
    {
        await using var tikTok = await FakeTikTok.StartAsync();
        // TikTok's message may quote what it was given: the token must not reach the output that way either.
        tikTok.Enqueue(new FakeReply(Code: code, Message: $"Access token {Token} is {problem}"));
        using var config = Config(tikTok, testEventCode: "TEST12345");

        var (exitCode, output) = await RunAsync("check", "--funnel", "acme", "--config", config.FilePath);

        Assert.True(exitCode == TikTokCheckCommand.TokenExitCode, output);
        Assert.Contains($"code {code}", output, StringComparison.Ordinal);
        Assert.Contains("Able:Funnels:0:TikTok:AccessToken", output, StringComparison.Ordinal);
        Assert.Contains(problem, output, StringComparison.Ordinal);
        Assert.Contains("request_id", output, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, output, StringComparison.Ordinal);
        Assert.Single(tikTok.Requests);
    }

    [Fact]
    public async Task A_pixel_the_token_may_not_use_or_TikTok_does_not_know_exits_4_naming_the_pixel()
    {
        await using var tikTok = await FakeTikTok.StartAsync();
        tikTok.Enqueue(FakeReply.NoPermission, FakeReply.InvalidPixel(Pixel));
        using var config = Config(tikTok, testEventCode: "TEST12345");

        var (noPermissionExitCode, noPermission) = await RunAsync("check", "--funnel", "acme", "--config", config.FilePath);
        var (invalidExitCode, invalid) = await RunAsync("check", "--funnel", "acme", "--config", config.FilePath);

        Assert.True(noPermissionExitCode == TikTokCheckCommand.RefusedExitCode, noPermission);
        Assert.Contains("code 40001", noPermission, StringComparison.Ordinal);
        Assert.Contains("no permission for pixel " + Pixel, noPermission, StringComparison.Ordinal);
        Assert.Contains("Able:Funnels:0:TikTok:PixelId is wrong", noPermission, StringComparison.Ordinal);

        Assert.True(invalidExitCode == TikTokCheckCommand.RefusedExitCode, invalid);
        Assert.Contains("code 40002", invalid, StringComparison.Ordinal);
        Assert.Contains($"Invalid value for event_source_id: {Pixel}", invalid, StringComparison.Ordinal);
        Assert.Contains("pixel id (event_source_id", invalid, StringComparison.Ordinal);
        Assert.Equal(2, tikTok.Requests.Count);
        Assert.Empty(tikTok.Violations);
    }

    [Fact]
    public async Task Nothing_is_sent_without_a_test_event_code_an_access_token_or_a_known_funnel()
    {
        await using var tikTok = await FakeTikTok.StartAsync();
        using var config = Config(tikTok, testEventCode: null);

        var (noCodeExitCode, noCode) = await RunAsync("check", "--funnel", "acme", "--config", config.FilePath);
        Assert.True(noCodeExitCode == TikTokCheckCommand.UsageExitCode, noCode);
        Assert.Contains("--test-event-code", noCode, StringComparison.Ordinal);
        Assert.Contains("Able:Funnels:0:TikTok:TestEventCode", noCode, StringComparison.Ordinal);
        Assert.Contains("Test Events", noCode, StringComparison.Ordinal);

        var (unknownExitCode, unknown) = await RunAsync("check", "--funnel", "nosuchfunnel", "--test-event-code", "TEST1", "--config", config.FilePath);
        Assert.True(unknownExitCode != 0, unknown);
        Assert.Contains("nosuchfunnel", unknown, StringComparison.Ordinal);
        Assert.Contains("acme", unknown, StringComparison.Ordinal);

        config.Funnel["TikTok"]!.AsObject().Remove("AccessToken");
        config.Write();
        var (noTokenExitCode, noToken) = await RunAsync("check", "--funnel", "acme", "--test-event-code", "TEST1", "--config", config.FilePath);
        Assert.True(noTokenExitCode == 2, noToken);
        Assert.Contains("Able:Funnels:0:TikTok:AccessToken", noToken, StringComparison.Ordinal);
        Assert.Contains($"secrets overlay ({config.SecretsPath}: Funnels:acme:TikTok:AccessToken)", noToken, StringComparison.Ordinal);
        Assert.Contains("environment", noToken, StringComparison.Ordinal);

        var (usageExitCode, usage) = await RunAsync("send", "--funnel", "acme");
        Assert.True(usageExitCode == TikTokCheckCommand.UsageExitCode, usage);
        var (noFunnelExitCode, noFunnel) = await RunAsync("check", "--config", config.FilePath);
        Assert.True(noFunnelExitCode == TikTokCheckCommand.UsageExitCode, noFunnel);
        Assert.Empty(tikTok.Requests);

        // The token from the secrets overlay (--secrets) is the one sent.
        var secrets = Path.Combine(config.Folder, "other.secrets.json");
        await File.WriteAllTextAsync(secrets, """{ "Funnels": { "acme": { "TikTok": { "AccessToken": "overlay-token" } } } }""");
        var (overlayExitCode, overlay) = await RunAsync("check", "--funnel", "acme", "--test-event-code", "TEST1", "--config", config.FilePath, "--secrets", secrets);
        Assert.True(overlayExitCode == 0, overlay);
        Assert.Equal("overlay-token", Assert.Single(tikTok.Requests).AccessToken);
    }

    [Fact]
    public async Task An_unreachable_base_URL_a_server_error_a_timeout_or_a_rate_limit_exits_5()
    {
        await using var tikTok = await FakeTikTok.StartAsync();
        tikTok.Enqueue(FakeReply.ServerError, FakeReply.TooManyRequests, FakeReply.HangFor(TimeSpan.FromSeconds(5)));
        using var config = Config(tikTok, testEventCode: "TEST12345");

        var (serverExitCode, server) = await RunAsync("check", "--funnel", "acme", "--config", config.FilePath);
        Assert.True(serverExitCode == TikTokCheckCommand.UnavailableExitCode, server);
        Assert.Contains("HTTP 500", server, StringComparison.Ordinal);
        Assert.Contains(tikTok.BaseUrl.ToString(), server, StringComparison.Ordinal);

        var (rateExitCode, rate) = await RunAsync("check", "--funnel", "acme", "--config", config.FilePath);
        Assert.True(rateExitCode == TikTokCheckCommand.UnavailableExitCode, rate);
        Assert.Contains("Rate limited", rate, StringComparison.Ordinal);

        var (timeoutExitCode, timeout) = await RunAsync("check", "--funnel", "acme", "--config", config.FilePath);
        Assert.True(timeoutExitCode == TikTokCheckCommand.UnavailableExitCode, timeout);
        Assert.Contains("timeout", timeout, StringComparison.Ordinal);
        Assert.Equal(3, tikTok.Requests.Count);

        // Nothing listens on this port.
        var unreachable = $"http://127.0.0.1:{FreePort.Next()}/";
        config.Able["Worker"]!["TikTokBaseUrl"] = unreachable;
        config.Write();
        var (networkExitCode, network) = await RunAsync("check", "--funnel", "acme", "--config", config.FilePath);
        Assert.True(networkExitCode == TikTokCheckCommand.UnavailableExitCode, network);
        Assert.Contains("connection error", network, StringComparison.Ordinal);
        Assert.Contains(unreachable, network, StringComparison.Ordinal);
        Assert.Equal(3, tikTok.Requests.Count);
    }

    private static TestConfig Config(FakeTikTok tikTok, string? testEventCode)
    {
        // No Redis is needed: the check reads the configuration and talks to TikTok only.
        var config = WorkerTestData.Config("127.0.0.1:9", tikTok, Token);
        if (testEventCode is not null)
        {
            config.Funnel["TikTok"]!["TestEventCode"] = testEventCode;
        }

        config.Write();
        return config;
    }

    private static Task<(int ExitCode, string Output)> RunAsync(params string[] args) => CommandOutput.RunAsync(TikTokCheckCommand.RunAsync, args);
}
