using Able.Attribution.Conversions;
using Able.Attribution.TikTok;
using Able.Hosting;
using Able.Schema.Configuration;
using Able.Schema.Identity;

namespace Able.Attribution.Service.Commands;

/// <summary>
/// <c>./able tiktok check --funnel MARK [--test-event-code CODE] [--config FILE] [--secrets FILE]</c>: sends one clearly-test
/// <c>Schedule</c> event to the funnel's pixel with a test event code (never without one), with the access token, base URL
/// and timeout the worker uses, and says what TikTok's answer means. Reads the configuration the attribution service reads.
/// </summary>
internal static class TikTokCheckCommand
{
    public const string Usage =
        "usage: ./able tiktok check --funnel MARK [--test-event-code CODE] [--config FILE] [--secrets FILE]";

    public const int AcceptedExitCode = 0;

    /// <summary>TikTok refused the access token (40104/40105/40106 and the other 4010x).</summary>
    public const int TokenExitCode = 3;

    /// <summary>No permission for the pixel (40001), an invalid parameter (40002, often the pixel id) or another refusal.</summary>
    public const int RefusedExitCode = 4;

    /// <summary>Rate limited, a TikTok server error, HTTP 5xx, a timeout or a network failure: try again.</summary>
    public const int UnavailableExitCode = 5;

    /// <summary>An argument not understood, an unknown funnel or no test event code (EX_USAGE).</summary>
    public const int UsageExitCode = FunnelCheck.UsageExitCode;

    private const string TestEventsHint = "TikTok Events Manager → the pixel → Test Events";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var (check, readExitCode) = await FunnelCheck.ReadAsync(
            "tiktok", args, Usage, "the funnel whose pixel to check", ["--test-event-code"], output, error);
        if (check is null)
        {
            return readExitCode;
        }

        var (options, secretsPath, index, funnel, _) = check;
        var testEventCodeArgument = check.Value("--test-event-code");
        var setting = $"Able:Funnels:{index}:TikTok";
        if (await RefuseIncompleteAsync(funnel, setting, testEventCodeArgument, secretsPath, error) is { } refusal)
        {
            return refusal;
        }

        var testEventCode = testEventCodeArgument ?? funnel.TikTok.TestEventCode!;
        var accessToken = funnel.TikTok.AccessToken!;
        // A clearly-test booking: no contact data, the hash of a random external id, the funnel's first host as the page.
        var conversion = check.SampleConversion("tiktok.check", "Schedule", DateTimeOffset.UtcNow, out var random);
        conversion = conversion with { ExternalIdHashes = [ContactHashing.HashExternalId($"able-check-visitor:{random}")!] };
        var built = TikTokEventBuilder.Build(conversion, visitor: null, funnel);
        var body = TikTokEventBuilder.Body(funnel.TikTok.PixelId, testEventCode, [built.Event]);

        var baseUrl = options.Worker.TikTokBaseUrl;
        await output.WriteLineAsync(
            $"Sending one test Schedule event (event_id {built.Event["event_id"]}) for funnel {funnel.Mark} to pixel {funnel.TikTok.PixelId} " +
            $"with test event code {testEventCode} at {baseUrl}");
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var client = new TikTokClient(http, check.FixedOptions, FunnelCheck.UnexportedMetrics());
        var result = await client.SendAsync(accessToken, body, cancellationToken);

        var message = result.Message?.Replace(accessToken, "[access token]", StringComparison.Ordinal);
        await output.WriteLineAsync(result.Code is null
            ? $"TikTok's answer: none with a code ({result.Reason})"
            : $"TikTok's answer: code {result.Code}, message \"{message}\", request_id {result.RequestId ?? "(none)"}");
        var (exitCode, meaning) = Explain(result, message, funnel, setting, testEventCode, baseUrl);
        await (exitCode == AcceptedExitCode ? output : error).WriteLineAsync(meaning);
        return exitCode;
    }

    /// <summary>Nothing is sent without a test event code, an access token and a pixel id: says which is missing and where to set it.</summary>
    private static async Task<int?> RefuseIncompleteAsync(FunnelOptions funnel, string setting, string? testEventCodeArgument, string secretsPath, TextWriter error)
    {
        if (string.IsNullOrWhiteSpace(funnel.TikTok.PixelId))
        {
            await error.WriteLineAsync($"Funnel {funnel.Mark} has no pixel: set {setting}:PixelId (the pixel code from TikTok Events Manager). Nothing was sent.");
            return AbleHost.ConfigurationErrorExitCode;
        }

        if (string.IsNullOrWhiteSpace(funnel.TikTok.AccessToken))
        {
            await error.WriteLineAsync(
                $"Funnel {funnel.Mark} has no access token: set {setting}:AccessToken, in the secrets overlay " +
                $"({secretsPath}: Funnels:{funnel.Mark}:TikTok:AccessToken) or the environment " +
                $"({setting.Replace(":", "__", StringComparison.Ordinal)}__AccessToken). Generate it for pixel {funnel.TikTok.PixelId} in " +
                "TikTok Events Manager → the pixel → Settings. Nothing was sent.");
            return AbleHost.ConfigurationErrorExitCode;
        }

        if (string.IsNullOrWhiteSpace(testEventCodeArgument ?? funnel.TikTok.TestEventCode))
        {
            await error.WriteLineAsync(
                $"No test event code: pass --test-event-code CODE or set {setting}:TestEventCode. Find the code in {TestEventsHint} " +
                $"(pixel {funnel.TikTok.PixelId}). Nothing was sent: without one the check would count as a real booking.");
            return UsageExitCode;
        }

        return null;
    }

    /// <summary>The exit code and, in plain words, what the answer means and what to do.</summary>
    private static (int ExitCode, string Meaning) Explain(
        TikTokResult result, string? message, FunnelOptions funnel, string setting, string testEventCode, string baseUrl) => result switch
    {
        { Outcome: TikTokOutcome.Accepted } => (AcceptedExitCode,
            $"OK: TikTok accepted the event. It should appear in {TestEventsHint} under test event code {testEventCode} within a minute or so."),
        { IsTokenError: true } => (TokenExitCode,
            $"The access token ({setting}:AccessToken) is {TokenProblem(result.Code)}. Generate a new one for pixel {funnel.TikTok.PixelId} " +
            "in TikTok Events Manager → the pixel → Settings, and store it in the secrets overlay or the environment."),
        { Code: 40001 } => (RefusedExitCode,
            $"No permission: the access token has no permission for pixel {funnel.TikTok.PixelId}, or {setting}:PixelId is wrong. " +
            "Check the pixel code, and that the token was generated for this pixel."),
        { Code: 40002 } => (RefusedExitCode,
            $"Invalid parameter: {message}. Often the pixel id (event_source_id, {setting}:PixelId = {funnel.TikTok.PixelId}) is wrong."),
        { Outcome: TikTokOutcome.Retry, Code: 40100 } => (UnavailableExitCode, "Rate limited by TikTok (40100): try again in a minute."),
        { Outcome: TikTokOutcome.Retry } => (UnavailableExitCode,
            $"TikTok or the network failed ({result.Reason}) at {baseUrl} (Able:Worker:TikTokBaseUrl): try again later."),
        { Code: null } => (UnavailableExitCode,
            $"{baseUrl} did not answer like the TikTok Events API ({result.Reason}); check Able:Worker:TikTokBaseUrl."),
        _ => (RefusedExitCode, $"TikTok refused the event ({result.Reason}): {message}."),
    };

    private static string TokenProblem(long? code) => code switch
    {
        40104 => "missing (TikTok code 40104)",
        40106 => "expired (TikTok code 40106)",
        _ => $"wrong or invalid (TikTok code {code})",
    };
}
