using Able.Attribution.Ingest;
using Able.Attribution.Signatures;

namespace Able.Attribution.Service.Ingress;

/// <summary>
/// <c>POST /calendly-webhook/{funnel}</c> and <c>POST /stripe-webhook/{funnel}</c>: method, funnel, size,
/// signature (on the raw bytes), envelope, then one XADD; 2xx only after Redis acknowledged (DESIGN §4).
/// </summary>
internal sealed class WebhookHandler(
    IngressFunnels funnels, IngestWriter writer, IngressMetrics metrics, TimeProvider time, ILogger<WebhookHandler> logger)
{
    public async Task<IResult> HandleAsync(HttpContext context, string mark, WebhookSource source)
    {
        var started = time.GetTimestamp();
        var funnel = funnels.Find(mark);
        var label = funnel?.Mark ?? IngressMetrics.UnknownFunnelLabel;
        IResult Reject(string outcome, int status, string title, string detail)
        {
            metrics.Count(source.Name, label, outcome);
            IngressLog.Rejected(logger, source.Name, label, outcome, status);
            return IngressResults.Problem(status, title, detail);
        }

        if (!HttpMethods.IsPost(context.Request.Method))
        {
            return IngressResults.MethodNotAllowed(metrics, source.Name, label);
        }

        var secret = funnel is null ? null : source.Secret(funnel);
        if (funnel is null || string.IsNullOrEmpty(secret))
        {
            return Reject(IngressOutcome.UnknownFunnel, StatusCodes.Status404NotFound, "Unknown funnel",
                funnel is null
                    ? "No funnel with this mark is configured."
                    : $"This funnel takes no {source.DisplayName} webhooks: its {source.SecretKey} is not configured.");
        }

        var headers = context.Request.Headers[source.SignatureHeader];
        if (headers.Count == 0)
        {
            return Reject(IngressOutcome.BadSignature, StatusCodes.Status401Unauthorized, "Missing signature",
                $"The {source.SignatureHeader} header is required.");
        }

        var limits = funnels.Limits;
        var body = await RequestBody.ReadAsync(context, limits.MaxBodyBytes, reason => IngressLog.BodyReadFailed(logger, source.Name, reason));
        if (!body.Ok)
        {
            return body.FailureStatus == StatusCodes.Status413PayloadTooLarge
                ? Reject(IngressOutcome.TooLarge, StatusCodes.Status413PayloadTooLarge, "Body too large",
                    $"The body exceeds {limits.MaxBodyBytes} bytes (Able:Attribution:Ingress:MaxBodyBytes).")
                : Reject(IngressOutcome.Malformed, body.FailureStatus, "Unreadable body", "The request body could not be read.");
        }

        var check = headers.Count == 1
            ? WebhookSignature.Verify(body.Bytes.Span, headers[0], secret, time.GetUtcNow(), TimeSpan.FromSeconds(limits.SignatureToleranceSeconds))
            : SignatureCheck.Malformed;
        switch (check)
        {
            case SignatureCheck.Valid:
                break;
            case SignatureCheck.TooOld or SignatureCheck.InFuture:
                return Reject(IngressOutcome.Stale, StatusCodes.Status401Unauthorized, "Stale signature",
                    $"The signature's timestamp is more than {limits.SignatureToleranceSeconds} s {(check == SignatureCheck.TooOld ? "in the past" : "in the future")}.");
            default:
                return Reject(IngressOutcome.BadSignature, StatusCodes.Status401Unauthorized, "Bad signature",
                    check == SignatureCheck.Mismatch
                        ? $"The {source.SignatureHeader} signature does not match this body and the funnel's {source.SecretKey}."
                        : $"The {source.SignatureHeader} header must look like t=<unix seconds>,v1=<64 hex digits>.");
        }

        var envelope = source.CheckEnvelope(body.Bytes);
        switch (envelope.Verdict)
        {
            case EnvelopeVerdict.Malformed:
                return Reject(IngressOutcome.Malformed, StatusCodes.Status400BadRequest, "Malformed body", envelope.Problem!);
            case EnvelopeVerdict.Ignore:
                metrics.Count(source.Name, label, IngressOutcome.Ignored);
                IngressLog.Ignored(logger, source.Name, envelope.SourceEvent!, label);
                return Results.Json(new { status = "ignored", @event = envelope.SourceEvent }, statusCode: StatusCodes.Status200OK);
        }

        if (!await writer.WriteAsync(source.Name, [new IngestItem(funnel.Mark, envelope.SourceEvent!, body.Bytes)], context.RequestAborted))
        {
            return IngressResults.Unavailable(metrics, source.Name, label);
        }

        metrics.Count(source.Name, label, IngressOutcome.Accepted);
        metrics.ObserveIngest(source.Name, time.GetElapsedTime(started));
        return Results.Json(new { status = "accepted", @event = envelope.SourceEvent }, statusCode: StatusCodes.Status202Accepted);
    }
}
