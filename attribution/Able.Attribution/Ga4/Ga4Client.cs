using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Able.Attribution.Delivery;
using Able.Attribution.Ingest;
using Able.Schema.Configuration;
using Microsoft.Extensions.Options;
using Prometheus;

namespace Able.Attribution.Ga4;

/// <summary>What to do after a Measurement Protocol request.</summary>
public enum Ga4SendOutcome
{
    /// <summary>A 2xx answer. GA4 answers 2xx even to an event it drops: what is sent is checked first (<see cref="Ga4Limits"/>).</summary>
    Accepted,

    /// <summary>HTTP 5xx, 429 or 408, a timeout or a connection error.</summary>
    Retry,

    /// <summary>Any other answer (a wrong measurement id or API secret answers 4xx): not retried.</summary>
    Permanent,
}

/// <summary>The answer to one request; <see cref="Reason"/> is short and safe to log and store (it never holds the API secret).</summary>
public sealed record Ga4SendResult(Ga4SendOutcome Outcome, string Reason, int? HttpStatus = null);

/// <summary>One message of the validation endpoint (<c>/debug/mp/collect</c>).</summary>
public sealed record Ga4ValidationMessage(string? FieldPath, string? Description, string? ValidationCode);

/// <summary>The validation endpoint's answer: its messages (none: the event is valid), or why there is no answer.</summary>
public sealed record Ga4ValidationResult(IReadOnlyList<Ga4ValidationMessage> Messages, string? Problem, int? HttpStatus);

/// <summary>
/// <c>POST {Able:Worker:Ga4BaseUrl}/mp/collect?measurement_id=…&amp;api_secret=…</c>, and the same request to
/// <c>/debug/mp/collect</c>, which answers with validation messages instead of recording the event. The API secret
/// travels in the query string, as GA4 requires; the host's HTTP client logging redacts query strings, and nothing here
/// logs or stores the URL.
/// </summary>
public sealed class Ga4Client(HttpClient http, IOptionsMonitor<AbleOptions> options, IMetricFactory metrics)
{
    public const string CollectPath = "mp/collect";

    public const string ValidationPath = "debug/mp/collect";

    private readonly Histogram requestSeconds = metrics.CreateHistogram(
        "able_ga4_request_seconds", "Duration of GA4 Measurement Protocol requests.", DestinationRequests.DurationByOutcome());

    public async Task<Ga4SendResult> SendAsync(Ga4FunnelOptions ga4, JsonObject body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ga4);
        ArgumentNullException.ThrowIfNull(body);
        var worker = options.CurrentValue.Worker;
        using var request = Request(ga4, CollectPath, body);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(worker.RequestTimeoutMilliseconds);
        var started = Stopwatch.GetTimestamp();
        Ga4SendResult result;
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            result = Interpret((int)response.StatusCode);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            result = new Ga4SendResult(Ga4SendOutcome.Retry, "timeout");
        }
        catch (HttpRequestException error)
        {
            result = new Ga4SendResult(Ga4SendOutcome.Retry, $"connection error ({error.HttpRequestError})");
        }

        requestSeconds.WithLabels(result.Outcome.ToString().ToLowerInvariant()).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        return result;
    }

    /// <summary>Sends <paramref name="body"/> to the validation endpoint and reads its <c>validationMessages</c>.</summary>
    public async Task<Ga4ValidationResult> ValidateAsync(Ga4FunnelOptions ga4, JsonObject body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ga4);
        ArgumentNullException.ThrowIfNull(body);
        using var request = Request(ga4, ValidationPath, body);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.CurrentValue.Worker.RequestTimeoutMilliseconds);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            var status = (int)response.StatusCode;
            if (status is < 200 or > 299)
            {
                return new Ga4ValidationResult([], $"the validation endpoint answered HTTP {status}", status);
            }

            return ReadValidation(text) is { } messages
                ? new Ga4ValidationResult(messages, null, status)
                : new Ga4ValidationResult([], "the validation endpoint's answer is not JSON with validationMessages", status);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new Ga4ValidationResult([], "timeout", null);
        }
        catch (HttpRequestException error)
        {
            return new Ga4ValidationResult([], $"connection error ({error.HttpRequestError})", null);
        }
    }

    /// <summary>The outcome of an HTTP status (GA4's collect endpoint says nothing else).</summary>
    public static Ga4SendResult Interpret(int httpStatus) => httpStatus switch
    {
        >= 200 and <= 299 => new Ga4SendResult(Ga4SendOutcome.Accepted, "accepted", httpStatus),
        >= 500 or 429 or 408 => new Ga4SendResult(Ga4SendOutcome.Retry, $"HTTP {httpStatus}", httpStatus),
        _ => new Ga4SendResult(Ga4SendOutcome.Permanent, $"HTTP {httpStatus} (check Ga4:MeasurementId and Ga4:ApiSecret)", httpStatus),
    };

    /// <summary>The <c>validationMessages</c> of a validation answer; null when the text is not such an answer (never throws).</summary>
    public static IReadOnlyList<Ga4ValidationMessage>? ReadValidation(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(text);
            if (json.RootElement.ValueKind != JsonValueKind.Object
                || !json.RootElement.TryGetProperty("validationMessages", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            return [.. list.EnumerateArray().Where(m => m.ValueKind == JsonValueKind.Object).Select(m => new Ga4ValidationMessage(
                Text(m, "fieldPath"), Text(m, "description"), Text(m, "validationCode")))];
        }
        catch (Exception error) when (error is JsonException or ArgumentException)
        {
            // ArgumentException: text that is not valid UTF-16 (a lone surrogate) cannot be parsed as JSON.
            return null;
        }
    }

    private static string? Text(JsonElement message, string name) =>
        message.TryGetProperty(name, out var value) ? JsonBody.DecodeOrNull(value) : null;

    private HttpRequestMessage Request(Ga4FunnelOptions ga4, string path, JsonObject body)
    {
        var baseUrl = new Uri(options.CurrentValue.Worker.Ga4BaseUrl.TrimEnd('/') + "/");
        var url = new Uri(baseUrl, $"{path}?measurement_id={Uri.EscapeDataString(ga4.MeasurementId)}&api_secret={Uri.EscapeDataString(ga4.ApiSecret)}");
        return DestinationRequests.JsonPost(url, body);
    }
}
