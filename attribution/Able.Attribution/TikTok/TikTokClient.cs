using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Able.Attribution.Delivery;
using Able.Attribution.Ingest;
using Able.Schema.Configuration;
using Microsoft.Extensions.Options;
using Prometheus;

namespace Able.Attribution.TikTok;

/// <summary>What to do after an Events API request (reference: Response).</summary>
public enum TikTokOutcome
{
    /// <summary><c>code == 0</c>, whatever the HTTP status.</summary>
    Accepted,

    /// <summary><c>40100</c>, <c>5xxxx</c>, HTTP 5xx/429, timeouts and connection errors.</summary>
    Retry,

    /// <summary><c>40002</c>: one bad event fails the whole batch; split it to find that event.</summary>
    InvalidParameter,

    /// <summary><c>40001</c>, <c>4010x</c> token errors and anything else: do not retry.</summary>
    Permanent,
}

/// <summary>The answer to one request. <see cref="Reason"/> is short and safe to log and store.</summary>
public sealed record TikTokResult(TikTokOutcome Outcome, string Reason, long? Code = null, string? Message = null, string? RequestId = null)
{
    /// <summary>40104/40105/40106 (token missing, invalid, expired) and the other 4010x except 40100: an operator must act.</summary>
    public bool IsTokenError => Code is >= 40101 and <= 40109;
}

/// <summary>
/// <c>POST {Able:Worker:TikTokBaseUrl}/open_api/v1.3/event/track/</c> with the pixel's <c>Access-Token</c>.
/// Success is <c>code == 0</c> in the body; errors usually arrive with HTTP 200.
/// </summary>
public sealed class TikTokClient(HttpClient http, IOptionsMonitor<AbleOptions> options, IMetricFactory metrics)
{
    public const string TrackPath = "open_api/v1.3/event/track/";

    private readonly Histogram requestSeconds = metrics.CreateHistogram(
        "able_tiktok_request_seconds", "Duration of TikTok Events API requests.", DestinationRequests.DurationByOutcome());

    public async Task<TikTokResult> SendAsync(string accessToken, JsonObject body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var worker = options.CurrentValue.Worker;
        var url = new Uri(new Uri(worker.TikTokBaseUrl.TrimEnd('/') + "/"), TrackPath);
        using var request = DestinationRequests.JsonPost(url, body);
        request.Headers.TryAddWithoutValidation("Access-Token", accessToken);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(worker.RequestTimeoutMilliseconds);
        var started = Stopwatch.GetTimestamp();
        var result = await SendCoreAsync(request, timeout.Token, cancellationToken);
        requestSeconds.WithLabels(result.Outcome.ToString().ToLowerInvariant()).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        return result;
    }

    private async Task<TikTokResult> SendCoreAsync(HttpRequestMessage request, CancellationToken timeout, CancellationToken stopping)
    {
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout);
            var text = await response.Content.ReadAsStringAsync(timeout);
            return Interpret((int)response.StatusCode, text);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return new TikTokResult(TikTokOutcome.Retry, "timeout");
        }
        catch (HttpRequestException error)
        {
            return new TikTokResult(TikTokOutcome.Retry, $"connection error ({error.HttpRequestError})");
        }
    }

    /// <summary>Maps an HTTP status and body to an outcome (reference: Response).</summary>
    public static TikTokResult Interpret(int httpStatus, string body)
    {
        long? code = null;
        string? message = null;
        string? requestId = null;
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object)
            {
                var root = json.RootElement;
                code = root.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt64(out var value) ? value : null;
                // A text that is not valid Unicode (a lone surrogate escape) reads as absent, never as a throw.
                message = root.TryGetProperty("message", out var m) ? JsonBody.DecodeOrNull(m) : null;
                requestId = root.TryGetProperty("request_id", out var r) ? JsonBody.DecodeOrNull(r) : null;
            }
        }
        catch (JsonException)
        {
            // Not JSON: judged by the HTTP status below.
        }

        if (code == 0)
        {
            return new TikTokResult(TikTokOutcome.Accepted, "accepted", 0, message, requestId);
        }

        if (httpStatus >= 500 || httpStatus == 429)
        {
            return new TikTokResult(TikTokOutcome.Retry, $"HTTP {httpStatus}", code, message, requestId);
        }

        return code switch
        {
            null => new TikTokResult(TikTokOutcome.Permanent, $"HTTP {httpStatus} without a TikTok code", null, message, requestId),
            40100 => new TikTokResult(TikTokOutcome.Retry, "40100 too many requests", code, message, requestId),
            >= 50000 and <= 59999 => new TikTokResult(TikTokOutcome.Retry, $"{code} TikTok server error", code, message, requestId),
            40002 => new TikTokResult(TikTokOutcome.InvalidParameter, "40002 invalid parameter", code, message, requestId),
            40001 => new TikTokResult(TikTokOutcome.Permanent, "40001 no permission", code, message, requestId),
            >= 40101 and <= 40109 => new TikTokResult(TikTokOutcome.Permanent, $"{code} access token error", code, message, requestId),
            _ => new TikTokResult(TikTokOutcome.Permanent, $"{code} rejected", code, message, requestId),
        };
    }
}
