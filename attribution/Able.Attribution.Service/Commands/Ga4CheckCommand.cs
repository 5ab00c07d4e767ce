using System.Globalization;
using System.Security.Cryptography;
using Able.Attribution.Conversions;
using Able.Attribution.Ga4;
using Able.Hosting;
using Able.Schema.Configuration;
using Able.Schema.Visitors;

namespace Able.Attribution.Service.Commands;

/// <summary>
/// <c>./able ga4 check --funnel MARK [--config FILE] [--secrets FILE]</c>: builds one sample <c>purchase</c> event for the
/// funnel's GA4 stream the way the worker builds its events (<see cref="Ga4EventBuilder"/>), checks it against the documented
/// limits (<see cref="Ga4Limits"/>), and sends it to GA4's validation server (<c>/debug/mp/collect</c>, never
/// <c>/mp/collect</c>: nothing is recorded) at <c>Able:Worker:Ga4BaseUrl</c>, then prints GA4's validation messages.
/// The validation server checks the event, not the keys: a wrong API secret (or measurement id) may pass (see <see cref="KeysNotChecked"/>).
/// </summary>
internal static class Ga4CheckCommand
{
    public const string Usage =
        "usage: ./able ga4 check --funnel MARK [--config FILE] [--secrets FILE]\n"
        + "Validates one sample purchase event with GA4's validation server (/debug/mp/collect; nothing is recorded).\n"
        + "Exit codes: 0 GA4 found nothing wrong; 2 configuration (none, invalid, or the funnel has no Ga4 section);\n"
        + "4 GA4 (or Able's own check of the documented limits) found problems in the event; 5 the validation server\n"
        + "could not be reached or did not answer like one; 64 usage (an unknown argument or funnel).";

    public const int ValidExitCode = 0;

    /// <summary>No Ga4 section for the funnel (or any other configuration error).</summary>
    public const int ConfigurationExitCode = AbleHost.ConfigurationErrorExitCode;

    /// <summary>GA4's validation server answered with validation messages, or the event breaks the documented limits.</summary>
    public const int ProblemsExitCode = 4;

    /// <summary>A network failure, a timeout, an HTTP error or an answer that is not GA4's validation answer.</summary>
    public const int UnavailableExitCode = 5;

    /// <summary>An argument not understood or missing, or an unknown funnel (EX_USAGE).</summary>
    public const int UsageExitCode = FunnelCheck.UsageExitCode;

    /// <summary>What the validation server does not check (Google's "Validate events" page, Measurement Protocol for GA4).</summary>
    public const string KeysNotChecked =
        "Note: GA4's validation server checks the event only. Google's \"Validate events\" page says it does not validate the " +
        "API secret, and it promises nothing about the measurement id belonging to an existing stream: a wrong Ga4:ApiSecret or " +
        "a mistyped Ga4:MeasurementId may pass this check. Compare both with the stream's page in GA4 Admin, and after the first " +
        "real conversion look at its receipt's ga4 status and GA4's reports.";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var (check, exitCode) = await FunnelCheck.ReadAsync("ga4", args, Usage, "the funnel whose GA4 stream to check", [], output, error);
        if (check is null)
        {
            return exitCode;
        }

        var (options, _, index, funnel, _) = check;
        if (funnel.Ga4 is not { } ga4)
        {
            await error.WriteLineAsync(
                $"Funnel {funnel.Mark} has no Ga4 section: set Able:Funnels:{index}:Ga4:MeasurementId (GA4 Admin → Data streams → the web " +
                "stream → Measurement ID) and its ApiSecret (same page → Measurement Protocol API secrets), the secret in the secrets " +
                $"overlay (Funnels:{funnel.Mark}:Ga4:ApiSecret) or the environment (Able__Funnels__{index}__Ga4__ApiSecret). Nothing was sent.");
            return ConfigurationExitCode;
        }

        var now = DateTimeOffset.UtcNow;
        var built = Ga4EventBuilder.Build(
            SampleSale(check, now), SampleVisitor(now), ga4, TimeSpan.FromHours(options.Worker.Ga4MaxEventAgeHours), now);
        if (built.Body is not { } body)
        {
            await error.WriteLineAsync($"Able could not build the sample event ({built.SkipReason}). Nothing was sent.");
            return ProblemsExitCode;
        }

        var validationUrl = $"{options.Worker.Ga4BaseUrl.TrimEnd('/')}/{Ga4Client.ValidationPath}";
        await output.WriteLineAsync(
            $"Validating one sample {built.EventName} event (transaction_id {body["events"]![0]!["params"]!["transaction_id"]}, " +
            $"client_id {body["client_id"]}) for funnel {funnel.Mark}, measurement id {ga4.MeasurementId}, at {validationUrl}. " +
            "GA4's validation server records nothing.");
        if (Ga4Limits.Problems(body) is { Count: > 0 } problems)
        {
            await error.WriteLineAsync("The sample event breaks GA4's documented limits (nothing was sent):");
            foreach (var problem in problems)
            {
                await error.WriteLineAsync($"  {problem}");
            }

            return ProblemsExitCode;
        }

        // The validation server's stricter mode, which Google recommends while setting up (a field only the validation server reads).
        body["validation_behavior"] = "ENFORCE_RECOMMENDATIONS";
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var client = new Ga4Client(http, check.FixedOptions, FunnelCheck.UnexportedMetrics());
        var result = await client.ValidateAsync(ga4, body, cancellationToken);
        if (result.Problem is { } failure)
        {
            await error.WriteLineAsync(
                $"No validation answer from {validationUrl}: {Redact(failure, ga4)}. Check Able:Worker:Ga4BaseUrl and the network, then try again.");
            return UnavailableExitCode;
        }

        if (result.Messages.Count == 0)
        {
            await output.WriteLineAsync("GA4 found nothing wrong with the event.");
            await output.WriteLineAsync(KeysNotChecked);
            return ValidExitCode;
        }

        await error.WriteLineAsync($"GA4 found {result.Messages.Count} problem(s) with the event:");
        foreach (var message in result.Messages)
        {
            await error.WriteLineAsync(
                $"  {Redact(message.ValidationCode ?? "(no code)", ga4)} at {Redact(message.FieldPath ?? "(no field)", ga4)}: " +
                Redact(message.Description ?? "(no description)", ga4));
        }

        await error.WriteLineAsync(KeysNotChecked);
        return ProblemsExitCode;
    }

    /// <summary>GA4's text with the API secret taken out, should an answer ever quote the request.</summary>
    private static string Redact(string text, Ga4FunnelOptions ga4) =>
        string.IsNullOrEmpty(ga4.ApiSecret) ? text : text.Replace(ga4.ApiSecret, "[api secret]", StringComparison.Ordinal);

    /// <summary>A sample sale: a random event id (its transaction_id), a value and currency, one item, no contact data.</summary>
    private static Conversion SampleSale(FunnelCheck check, DateTimeOffset now) =>
        check.SampleConversion("ga4.check", TikTokEventNames.Purchase, now, out _) with { Value = 1.00m, Currency = "EUR", ContentId = "able-check" };

    /// <summary>A made-up visitor with a well-formed GA client id (random.seconds, as in <c>_ga</c>) and a session id.</summary>
    private static VisitorProfile SampleVisitor(DateTimeOffset now)
    {
        var seconds = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return new VisitorProfile
        {
            VisitorId = "able-check",
            GaClientId = $"{RandomNumberGenerator.GetInt32(100_000_000, 1_000_000_000).ToString(CultureInfo.InvariantCulture)}.{seconds}",
            GaSessionId = seconds,
        };
    }
}
