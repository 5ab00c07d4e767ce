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
internal sealed class ConversionsApiHandler(IngressFunnels funnels, IngressPipeline pipeline, TimeProvider time, ILogger<ConversionsApiHandler> logger)
{
    public Task<IResult> HandleAsync(HttpContext context)
    {
        var started = time.GetTimestamp();
        return pipeline.RunAsync(new Batch(context, funnels, pipeline.Metrics, logger), started);
    }

    /// <summary>One request of conversions: the bearer key, the items' shape and funnels, the key for those funnels, every field.</summary>
    private sealed class Batch(HttpContext context, IngressFunnels funnels, IngressMetrics metrics, ILogger logger)
        : IngressRequest(context, IngestEntry.Sources.ConversionsApi, IngressMetrics.UnknownFunnelLabel, metrics, logger)
    {
        private string presentedKey = "";

        public override IResult? Admit()
        {
            if (BearerToken(Context.Request) is not { } key)
            {
                return Reject(IngressOutcome.Unauthorized, StatusCodes.Status401Unauthorized, "Missing API key",
                    "Send Authorization: Bearer <the funnel's API key>.");
            }

            presentedKey = key;
            return null;
        }

        public override (int MaxBytes, string Setting) BodyLimit(IngressOptions limits) =>
            (limits.MaxConversionsBodyBytes, nameof(IngressOptions.MaxConversionsBodyBytes));

        public override IngressVerdict Interpret(ReadOnlyMemory<byte> body, IngressOptions limits)
        {
            if (!ConversionRequest.TryRead(body, out var items, out var shapeProblem))
            {
                return IngressVerdict.Respond(Reject(IngressOutcome.Malformed, StatusCodes.Status400BadRequest, "Malformed body", shapeProblem));
            }

            var funnelProblems = ConversionRequest.FunnelProblems(items);
            if (funnelProblems.Count > 0)
            {
                return IngressVerdict.Respond(Invalid(funnelProblems, "Every conversion must name its funnel."));
            }

            if (NamedFunnels(items) is not { } named)
            {
                return IngressVerdict.Respond(Reject(IngressOutcome.UnknownFunnel, StatusCodes.Status404NotFound, "Unknown funnel",
                    "A conversion names a funnel that is not configured."));
            }

            Label = named.Values.First().Mark;
            if (!Authorised(named.Values))
            {
                return IngressVerdict.Respond(Reject(IngressOutcome.Unauthorized, StatusCodes.Status401Unauthorized, "Wrong API key",
                    "The bearer key is not the API key of the funnel the conversion names."));
            }

            var problems = ConversionRequest.Validate(items);
            if (problems.Count > 0)
            {
                return IngressVerdict.Respond(Invalid(problems, items.Count == 1
                    ? "The conversion has invalid fields; nothing was queued."
                    : "Some conversions have invalid fields; nothing of this batch was queued."));
            }

            var entries = items.Select(item =>
            {
                var funnel = named[item.Funnel!];
                return new IngestItem(funnel.Mark, item.Event!, IngestFacts.Parse(Source, item.Json, funnel.DefaultPhoneRegion));
            }).ToList();
            return IngressVerdict.Queue(entries, Results.Json(new { status = "accepted", accepted = entries.Count }, statusCode: StatusCodes.Status202Accepted));
        }

        /// <summary>A refusal; a 401 also names the scheme (<c>WWW-Authenticate: Bearer</c>).</summary>
        public override IResult Reject(string outcome, int status, string title, string detail)
        {
            var problem = base.Reject(outcome, status, title, detail);
            return status == StatusCodes.Status401Unauthorized ? new IngressResults.WithHeader(problem, HeaderNames.WWWAuthenticate, "Bearer") : problem;
        }

        /// <summary>The configured funnel of every mark the items name, or null when one is not configured.</summary>
        private Dictionary<string, FunnelOptions>? NamedFunnels(IReadOnlyList<ConversionItem> items)
        {
            var named = new Dictionary<string, FunnelOptions>(StringComparer.OrdinalIgnoreCase);
            foreach (var mark in items.Select(item => item.Funnel!).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                if (funnels.Find(mark) is not { } funnel)
                {
                    return null;
                }

                named[mark] = funnel;
            }

            return named;
        }

        /// <summary>Whether the bearer key is the API key of every named funnel.</summary>
        private bool Authorised(IEnumerable<FunnelOptions> named)
        {
            // Every funnel is checked, so the time taken does not tell which one refused the key.
            var authorised = true;
            foreach (var funnel in named)
            {
                authorised &= IngressFunnels.ApiKeyMatches(funnel, presentedKey);
            }

            return authorised;
        }

        private IResult Invalid(Dictionary<string, string[]> problems, string detail)
        {
            CountRejected(IngressOutcome.Malformed, StatusCodes.Status400BadRequest);
            return Results.ValidationProblem(problems, detail: detail, title: "Invalid conversion");
        }
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
