using Able.Schema.Configuration;

namespace Able.Attribution.Service.Ingress;

/// <summary>What an ingress request made of its body: an answer now (refused, ignored), or entries to queue.</summary>
internal readonly record struct IngressVerdict(IResult? Answer, IReadOnlyList<IngestItem> Items, IResult? Accepted)
{
    /// <summary>Answer at once; nothing is written.</summary>
    public static IngressVerdict Respond(IResult answer) => new(answer, [], null);

    /// <summary>Write <paramref name="items"/> to the ingest stream, then answer <paramref name="accepted"/> (a 202).</summary>
    public static IngressVerdict Queue(IReadOnlyList<IngestItem> items, IResult accepted) => new(null, items, accepted);
}

/// <summary>
/// One request to an ingress endpoint, with what is particular to that endpoint: its checks before the body is
/// read, its body limit, and what it makes of the body. The steps they share are <see cref="IngressPipeline"/>'s.
/// </summary>
internal abstract class IngressRequest(HttpContext context, string source, string label, IngressMetrics metrics, ILogger logger)
{
    public HttpContext Context => context;

    /// <summary>The source, for metrics and the ingest stream entry.</summary>
    public string Source => source;

    /// <summary>The funnel label for metrics and logs, <see cref="IngressMetrics.UnknownFunnelLabel"/> until the funnel is known.</summary>
    public string Label { get; protected set; } = label;

    public ILogger Logger => logger;

    protected IngressMetrics Metrics => metrics;

    /// <summary>Checks made before the body is read; an answer refuses the request.</summary>
    public abstract IResult? Admit();

    /// <summary>The largest body taken, and the setting that sets it (named in the 413).</summary>
    public abstract (int MaxBytes, string Setting) BodyLimit(IngressOptions limits);

    /// <summary>Checks the body and says what to write.</summary>
    public abstract IngressVerdict Interpret(ReadOnlyMemory<byte> body, IngressOptions limits);

    /// <summary>Counts and logs a refusal and answers with an RFC 7807 problem.</summary>
    public virtual IResult Reject(string outcome, int status, string title, string detail)
    {
        CountRejected(outcome, status);
        return IngressResults.Problem(status, title, detail);
    }

    /// <summary>Counts and logs a refusal whose answer the endpoint builds itself.</summary>
    protected void CountRejected(string outcome, int status)
    {
        metrics.Count(source, Label, outcome);
        IngressLog.Rejected(logger, source, Label, outcome, status);
    }
}

/// <summary>
/// The steps every ingress request takes, in order: POST only (405); the endpoint's checks before
/// the body; the body, read up to the endpoint's limit (413, or 400 when unreadable); the endpoint's checks of
/// the body; one write to the ingest stream (503 unless Redis acknowledged); then the endpoint's 202.
/// </summary>
internal sealed class IngressPipeline(IngressFunnels funnels, IngestWriter writer, IngressMetrics metrics, TimeProvider time)
{
    public IngressMetrics Metrics => metrics;

    public async Task<IResult> RunAsync(IngressRequest request, long started)
    {
        ArgumentNullException.ThrowIfNull(request);
        var context = request.Context;
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            return IngressResults.MethodNotAllowed(metrics, request.Source, request.Label);
        }

        if (request.Admit() is { } refused)
        {
            return refused;
        }

        var limits = funnels.Limits;
        var (maxBytes, setting) = request.BodyLimit(limits);
        var body = await RequestBody.ReadAsync(context, maxBytes, reason => IngressLog.BodyReadFailed(request.Logger, request.Source, reason));
        if (!body.Ok)
        {
            return body.FailureStatus == StatusCodes.Status413PayloadTooLarge
                ? request.Reject(IngressOutcome.TooLarge, StatusCodes.Status413PayloadTooLarge, "Body too large",
                    $"The body exceeds {maxBytes} bytes (Able:Attribution:Ingress:{setting}).")
                : request.Reject(IngressOutcome.Malformed, body.FailureStatus, "Unreadable body", "The request body could not be read.");
        }

        var verdict = request.Interpret(body.Bytes, limits);
        if (verdict.Answer is { } answer)
        {
            return answer;
        }

        if (!await writer.WriteAsync(request.Source, verdict.Items, context.RequestAborted))
        {
            return IngressResults.Unavailable(metrics, request.Source, request.Label);
        }

        // When each funnel last got a delivery from this source (./able calendly status, the admin summary's last webhook).
        foreach (var mark in verdict.Items.Select(item => item.Mark).Distinct(StringComparer.Ordinal))
        {
            writer.RecordDelivery(request.Source, mark);
        }

        metrics.Count(request.Source, request.Label, IngressOutcome.Accepted);
        metrics.ObserveIngest(request.Source, time.GetElapsedTime(started));
        return verdict.Accepted!;
    }
}
