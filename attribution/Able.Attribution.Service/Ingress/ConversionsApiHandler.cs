using Able.Attribution.Conversions;
using Able.Attribution.Ingest;
using Able.Schema.Configuration;
using Microsoft.Net.Http.Headers;

namespace Able.Attribution.Service.Ingress;

/// <summary>
/// <c>POST /v1/conversions</c>: <c>Authorization: Bearer &lt;funnel API key&gt;</c>, then one conversion object or
/// an array of up to 1000. Checks, in order: method (405), bearer present (401), size (413), JSON shape (400),
/// each item's <c>funnel</c> (400), funnels known (404), key valid for every named funnel (401), every field
/// (400, RFC 7807 naming each bad field). All items valid, or none queued; a batch is one MULTI/EXEC.
/// </summary>
internal sealed class ConversionsApiHandler(
    IngressFunnels funnels, IngestWriter writer, IngressMetrics metrics, TimeProvider time, ILogger<ConversionsApiHandler> logger)
{
    private const string Source = IngestEntry.Sources.ConversionsApi;

    public async Task<IResult> HandleAsync(HttpContext context)
    {
        var started = time.GetTimestamp();
        var label = IngressMetrics.UnknownFunnelLabel;
        IResult Reject(string outcome, int status, string title, string detail)
        {
            metrics.Count(Source, label, outcome);
            IngressLog.Rejected(logger, Source, label, outcome, status);
            var problem = IngressResults.Problem(status, title, detail);
            return status == StatusCodes.Status401Unauthorized ? new IngressResults.WithHeader(problem, HeaderNames.WWWAuthenticate, "Bearer") : problem;
        }

        IResult Invalid(Dictionary<string, string[]> problems, string detail)
        {
            metrics.Count(Source, label, IngressOutcome.Malformed);
            IngressLog.Rejected(logger, Source, label, IngressOutcome.Malformed, StatusCodes.Status400BadRequest);
            return Results.ValidationProblem(problems, detail: detail, title: "Invalid conversion");
        }

        if (!HttpMethods.IsPost(context.Request.Method))
        {
            return IngressResults.MethodNotAllowed(metrics, Source, label);
        }

        if (BearerToken(context.Request) is not { } presentedKey)
        {
            return Reject(IngressOutcome.Unauthorized, StatusCodes.Status401Unauthorized, "Missing API key",
                "Send Authorization: Bearer <the funnel's API key>.");
        }

        var limits = funnels.Limits;
        var body = await RequestBody.ReadAsync(context, limits.MaxConversionsBodyBytes, reason => IngressLog.BodyReadFailed(logger, Source, reason));
        if (!body.Ok)
        {
            return body.FailureStatus == StatusCodes.Status413PayloadTooLarge
                ? Reject(IngressOutcome.TooLarge, StatusCodes.Status413PayloadTooLarge, "Body too large",
                    $"The body exceeds {limits.MaxConversionsBodyBytes} bytes (Able:Attribution:Ingress:MaxConversionsBodyBytes).")
                : Reject(IngressOutcome.Malformed, body.FailureStatus, "Unreadable body", "The request body could not be read.");
        }

        if (!ConversionRequest.TryRead(body.Bytes, out var items, out var shapeProblem))
        {
            return Reject(IngressOutcome.Malformed, StatusCodes.Status400BadRequest, "Malformed body", shapeProblem);
        }

        var funnelProblems = ConversionRequest.FunnelProblems(items);
        if (funnelProblems.Count > 0)
        {
            return Invalid(funnelProblems, "Every conversion must name its funnel.");
        }

        var named = new Dictionary<string, FunnelOptions>(StringComparer.OrdinalIgnoreCase);
        foreach (var mark in items.Select(item => item.Funnel!).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (funnels.Find(mark) is not { } funnel)
            {
                return Reject(IngressOutcome.UnknownFunnel, StatusCodes.Status404NotFound, "Unknown funnel",
                    "A conversion names a funnel that is not configured.");
            }

            named[mark] = funnel;
        }

        label = named.Values.First().Mark;
        // Every funnel is checked, so the time taken does not tell which one refused the key.
        var authorised = true;
        foreach (var funnel in named.Values)
        {
            authorised &= IngressFunnels.ApiKeyMatches(funnel, presentedKey);
        }

        if (!authorised)
        {
            return Reject(IngressOutcome.Unauthorized, StatusCodes.Status401Unauthorized, "Wrong API key",
                "The bearer key is not the API key of the funnel the conversion names.");
        }

        var problems = ConversionRequest.Validate(items);
        if (problems.Count > 0)
        {
            return Invalid(problems, items.Count == 1
                ? "The conversion has invalid fields; nothing was queued."
                : "Some conversions have invalid fields; nothing of this batch was queued.");
        }

        var entries = items.Select(item => new IngestItem(named[item.Funnel!].Mark, item.Event!, item.Json)).ToList();
        if (!await writer.WriteAsync(Source, entries, context.RequestAborted))
        {
            return IngressResults.Unavailable(metrics, Source, label);
        }

        metrics.Count(Source, label, IngressOutcome.Accepted);
        metrics.ObserveIngest(Source, time.GetElapsedTime(started));
        return Results.Json(new { status = "accepted", accepted = entries.Count }, statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>The token of exactly one <c>Authorization: Bearer &lt;token&gt;</c> header (scheme case-insensitive), else null.</summary>
    public static string? BearerToken(HttpRequest request)
    {
        var values = request.Headers.Authorization;
        if (values.Count != 1 || values[0] is not { } header)
        {
            return null;
        }

        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = header[scheme.Length..].Trim();
        return token.Length == 0 ? null : token;
    }
}
