using System.Text.RegularExpressions;
using Able.Attribution.Service.Commands;

namespace Able.FunctionalTests.Ga4;

/// <summary>
/// <c>./able ga4 check</c> (the attribution service's <c>ga4 check</c> command) against the fake GA4 on loopback: one sample
/// purchase built as the worker builds events, sent to the validation server only, and its answer explained with an exit code.
/// </summary>
public sealed partial class Ga4CheckCommandTests
{
    private const string Secret = "ga4-check-secret-9c3d";
    private const string MeasurementId = "G-CHECK12345";

    [Fact]
    public async Task A_valid_sample_event_goes_to_the_validation_server_only_and_exits_0()
    {
        await using var ga4 = await FakeGa4.StartAsync();
        ga4.ExpectedApiSecret = Secret;
        using var config = Config(ga4);

        var (exitCode, output) = await RunAsync("check", "--funnel", "acme", "--config", config.FilePath);

        Assert.True(exitCode == Ga4CheckCommand.ValidExitCode, output);
        Assert.Contains("GA4 found nothing wrong with the event", output, StringComparison.Ordinal);
        Assert.Contains(MeasurementId, output, StringComparison.Ordinal);
        Assert.Contains("does not validate the API secret", output, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, output, StringComparison.Ordinal);
        Assert.Empty(ga4.Requests);
        Assert.Empty(ga4.Violations);
        var request = Assert.Single(ga4.ValidationRequests);
        Assert.Equal(MeasurementId, request.MeasurementId);
        Assert.Equal(Secret, request.ApiSecret);
        Assert.Matches(ClientId(), (string?)request.Body["client_id"]);
        Assert.Contains((string)request.Body["client_id"]!, output, StringComparison.Ordinal);
        var sent = Assert.Single(request.Events);
        Assert.Equal("purchase", (string?)sent["name"]);
        Assert.StartsWith("able-check:", request.Parameter("transaction_id"), StringComparison.Ordinal);
        Assert.Contains(request.Parameter("transaction_id")!, output, StringComparison.Ordinal);
        Assert.NotNull(request.Parameter("value"));
        Assert.Equal("EUR", request.Parameter("currency"));
        Assert.Matches("^[0-9]+$", request.Parameter("session_id"));
        Assert.Null(request.Body["user_id"]);

        // Every check is a new sample event.
        var (againExitCode, again) = await RunAsync("check", "--funnel=acme", "--config", config.FilePath);
        Assert.True(againExitCode == 0, again);
        Assert.NotEqual(request.Parameter("transaction_id"), ga4.ValidationRequests.Last().Parameter("transaction_id"));
        Assert.Empty(ga4.Requests);
    }

    [Fact]
    public async Task Validation_messages_are_printed_with_field_description_and_code_and_exit_4_without_the_secret()
    {
        await using var ga4 = await FakeGa4.StartAsync();
        // A message that quotes what it was given: the secret must not reach the output that way either.
        ga4.EnqueueValidationMessage("events.params.currency", $"Currency is not valid for api_secret {Secret}", "VALUE_INVALID");
        ga4.EnqueueValidationMessage("events", "Event name is reserved", "NAME_RESERVED");
        using var config = Config(ga4);

        var (exitCode, output) = await RunAsync("check", "--funnel", "acme", "--config", config.FilePath);

        Assert.True(exitCode == Ga4CheckCommand.ProblemsExitCode, output);
        Assert.Contains("GA4 found 2 problem(s)", output, StringComparison.Ordinal);
        Assert.Contains("VALUE_INVALID at events.params.currency: Currency is not valid for api_secret [api secret]", output, StringComparison.Ordinal);
        Assert.Contains("NAME_RESERVED at events: Event name is reserved", output, StringComparison.Ordinal);
        Assert.DoesNotContain("found nothing wrong", output, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, output, StringComparison.Ordinal);
        Assert.Single(ga4.ValidationRequests);
        Assert.Empty(ga4.Requests);
    }

    [Fact]
    public async Task An_unknown_funnel_a_funnel_without_Ga4_or_bad_arguments_send_nothing_and_say_why()
    {
        await using var ga4 = await FakeGa4.StartAsync();
        using var config = Config(ga4);

        var (unknownExitCode, unknown) = await RunAsync("check", "--funnel", "nosuchfunnel", "--config", config.FilePath);
        Assert.True(unknownExitCode == Ga4CheckCommand.UsageExitCode, unknown);
        Assert.Contains("nosuchfunnel", unknown, StringComparison.Ordinal);
        Assert.Contains("acme", unknown, StringComparison.Ordinal);

        var (usageExitCode, usage) = await RunAsync("send", "--funnel", "acme");
        Assert.True(usageExitCode == Ga4CheckCommand.UsageExitCode, usage);
        Assert.Contains("usage: ./able ga4 check", usage, StringComparison.Ordinal);
        var (noFunnelExitCode, noFunnel) = await RunAsync("check", "--config", config.FilePath);
        Assert.True(noFunnelExitCode == Ga4CheckCommand.UsageExitCode, noFunnel);
        Assert.Contains("--funnel MARK is required", noFunnel, StringComparison.Ordinal);
        var (optionExitCode, option) = await RunAsync("check", "--funnel", "acme", "--test-event-code", "X", "--config", config.FilePath);
        Assert.True(optionExitCode == Ga4CheckCommand.UsageExitCode, option);
        Assert.Contains("unknown argument '--test-event-code'", option, StringComparison.Ordinal);

        var (helpExitCode, help) = await RunAsync("--help");
        Assert.True(helpExitCode == 0, help);
        Assert.Contains("Exit codes: 0", help, StringComparison.Ordinal);

        config.Funnel.Remove("Ga4");
        config.Write();
        var (noGa4ExitCode, noGa4) = await RunAsync("check", "--funnel", "acme", "--config", config.FilePath);
        Assert.True(noGa4ExitCode == Ga4CheckCommand.ConfigurationExitCode, noGa4);
        Assert.Contains("Funnel acme has no Ga4 section", noGa4, StringComparison.Ordinal);
        Assert.Contains("Able:Funnels:0:Ga4:MeasurementId", noGa4, StringComparison.Ordinal);
        Assert.Contains("Funnels:acme:Ga4:ApiSecret", noGa4, StringComparison.Ordinal);
        Assert.Contains("Able__Funnels__0__Ga4__ApiSecret", noGa4, StringComparison.Ordinal);

        Assert.Empty(ga4.ValidationRequests);
        Assert.Empty(ga4.Requests);
    }

    [Fact]
    public async Task The_secret_from_the_secrets_overlay_is_used_and_never_printed()
    {
        await using var ga4 = await FakeGa4.StartAsync();
        ga4.ExpectedApiSecret = "overlay-ga4-secret";
        using var config = Config(ga4);
        var secrets = Path.Combine(config.Folder, "other.secrets.json");
        await File.WriteAllTextAsync(secrets, """{ "Funnels": { "acme": { "Ga4": { "ApiSecret": "overlay-ga4-secret" } } } }""");

        var (exitCode, output) = await RunAsync("check", "--funnel", "acme", "--config", config.FilePath, "--secrets", secrets);

        Assert.True(exitCode == 0, output);
        Assert.Equal("overlay-ga4-secret", Assert.Single(ga4.ValidationRequests).ApiSecret);
        Assert.DoesNotContain("overlay-ga4-secret", output, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_HTTP_error_or_an_answer_that_is_not_a_validation_answer_exits_5()
    {
        await using var ga4 = await FakeGa4.StartAsync();
        ga4.EnqueueValidationStatus(503, 200);
        using var config = Config(ga4);

        var (errorExitCode, error) = await RunAsync("check", "--funnel", "acme", "--config", config.FilePath);
        var (notJsonExitCode, notJson) = await RunAsync("check", "--funnel", "acme", "--config", config.FilePath);

        Assert.True(errorExitCode == Ga4CheckCommand.UnavailableExitCode, error);
        Assert.Contains("HTTP 503", error, StringComparison.Ordinal);
        Assert.True(notJsonExitCode == Ga4CheckCommand.UnavailableExitCode, notJson);
        Assert.Contains("not JSON with validationMessages", notJson, StringComparison.Ordinal);
        Assert.DoesNotContain("found nothing wrong", error + notJson, StringComparison.Ordinal);
        Assert.Equal(2, ga4.ValidationRequests.Count);
        Assert.Empty(ga4.Requests);
    }

    [Fact]
    public async Task An_unreachable_validation_server_exits_5_naming_the_URL()
    {
        await using var ga4 = await FakeGa4.StartAsync();
        using var config = Config(ga4);
        // Nothing listens on this port.
        var unreachable = $"http://127.0.0.1:{FreePort.Next()}";
        config.Able["Worker"]!["Ga4BaseUrl"] = unreachable;
        config.Write();

        var (exitCode, output) = await RunAsync("check", "--funnel", "acme", "--config", config.FilePath);

        Assert.True(exitCode == Ga4CheckCommand.UnavailableExitCode, output);
        Assert.Contains("connection error", output, StringComparison.Ordinal);
        Assert.Contains($"{unreachable}/debug/mp/collect", output, StringComparison.Ordinal);
        Assert.Contains("Able:Worker:Ga4BaseUrl", output, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, output, StringComparison.Ordinal);
        Assert.Empty(ga4.ValidationRequests);
    }

    private static TestConfig Config(FakeGa4 ga4)
    {
        // No Redis is needed: the check reads the configuration and talks to GA4 only.
        var config = TestConfig.Create("127.0.0.1:9");
        config.Able["Worker"] = new System.Text.Json.Nodes.JsonObject
        {
            ["Ga4BaseUrl"] = ga4.BaseUrl.ToString(),
            ["RequestTimeoutMilliseconds"] = 2000,
        };
        config.Funnel["Ga4"] = new System.Text.Json.Nodes.JsonObject
        {
            ["MeasurementId"] = MeasurementId,
            ["ApiSecret"] = Secret,
        };
        config.Write();
        return config;
    }

    private static Task<(int ExitCode, string Output)> RunAsync(params string[] args) => CommandOutput.RunAsync(Ga4CheckCommand.RunAsync, args);

    [GeneratedRegex(@"^[0-9]+\.[0-9]+$")]
    private static partial Regex ClientId();
}
