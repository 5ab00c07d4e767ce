using Able.Attribution.Ingest;
using Able.Attribution.Signatures;
using Able.Schema.Configuration;
using Microsoft.Extensions.Primitives;

namespace Able.Attribution.Service.Ingress;

/// <summary>
/// <c>POST /calendly-webhook/{funnel}</c> and <c>POST /stripe-webhook/{funnel}</c>: method, funnel, size,
/// signature (on the raw bytes), envelope, then one XADD of the delivery's facts (never the raw body); 2xx only
/// after Redis acknowledged, so a source retries whatever was not stored (README, "Webhooks and the conversions API").
/// </summary>
internal sealed class WebhookHandler(IngressFunnels funnels, IngressPipeline pipeline, TimeProvider time, ILogger<WebhookHandler> logger)
{
    public Task<IResult> HandleAsync(HttpContext context, string mark, WebhookSource source)
    {
        var started = time.GetTimestamp();
        return pipeline.RunAsync(new SignedDelivery(context, source, funnels.Find(mark), time, pipeline.Metrics, logger), started);
    }

    /// <summary>One signed delivery: the funnel takes this sender's webhooks, the signature matches, the envelope is one to keep.</summary>
    private sealed class SignedDelivery(
        HttpContext context, WebhookSource source, FunnelOptions? funnel, TimeProvider time, IngressMetrics metrics, ILogger logger)
        : IngressRequest(context, source.Name, funnel?.Mark ?? IngressMetrics.UnknownFunnelLabel, metrics, logger)
    {
        private string secret = "";
        private StringValues headers;

        public override IResult? Admit()
        {
            var configured = funnel is null ? null : source.Secret(funnel);
            if (funnel is null || string.IsNullOrWhiteSpace(configured))
            {
                return Reject(IngressOutcome.UnknownFunnel, StatusCodes.Status404NotFound, "Unknown funnel",
                    funnel is null
                        ? "No funnel with this mark is configured."
                        : $"This funnel takes no {source.DisplayName} webhooks: its {source.SecretKey} is not configured.");
            }

            secret = configured;
            headers = Context.Request.Headers[source.SignatureHeader];
            return headers.Count == 0
                ? Reject(IngressOutcome.BadSignature, StatusCodes.Status401Unauthorized, "Missing signature",
                    $"The {source.SignatureHeader} header is required.")
                : null;
        }

        public override (int MaxBytes, string Setting) BodyLimit(IngressOptions limits) =>
            (limits.MaxBodyBytes, nameof(IngressOptions.MaxBodyBytes));

        public override IngressVerdict Interpret(ReadOnlyMemory<byte> body, IngressOptions limits)
        {
            if (CheckSignature(body.Span, limits) is { } refused)
            {
                return IngressVerdict.Respond(refused);
            }

            // An accepted envelope comes with its facts, read from the same parse of the body.
            var envelope = source.CheckEnvelope(body, funnel!.DefaultPhoneRegion, out var facts);
            switch (envelope.Verdict)
            {
                case EnvelopeVerdict.Malformed:
                    return IngressVerdict.Respond(Reject(IngressOutcome.Malformed, StatusCodes.Status400BadRequest, "Malformed body", envelope.Problem!));
                case EnvelopeVerdict.Ignore:
                    Metrics.Count(Source, Label, IngressOutcome.Ignored);
                    IngressLog.Ignored(Logger, Source, envelope.SourceEvent!, Label);
                    return IngressVerdict.Respond(
                        Results.Json(new { status = "ignored", @event = envelope.SourceEvent }, statusCode: StatusCodes.Status200OK));
            }

            // Only the facts are stored: contact data hashed, names and answers dropped (README, "Privacy: what is stored at rest").
            return IngressVerdict.Queue(
                [new IngestItem(funnel.Mark, envelope.SourceEvent!, facts!)],
                Results.Json(new { status = "accepted", @event = envelope.SourceEvent }, statusCode: StatusCodes.Status202Accepted));
        }

        /// <summary>The answer to a signature that is not valid for this body now, or null when it is.</summary>
        private IResult? CheckSignature(ReadOnlySpan<byte> body, IngressOptions limits)
        {
            var now = time.GetUtcNow();
            var tolerance = TimeSpan.FromSeconds(limits.SignatureToleranceSeconds);
            var check = headers.Count == 1 ? WebhookSignature.Verify(body, headers[0], secret, now, tolerance) : SignatureCheck.Malformed;
            if (check == SignatureCheck.Mismatch && source.PreviousSecret(funnel!, now) is { Length: > 0 } previous && !string.IsNullOrWhiteSpace(previous))
            {
                // Signed before the subscription was recreated with a new key, and still inside the grace period.
                check = WebhookSignature.Verify(body, headers[0], previous, now, tolerance);
            }

            return check switch
            {
                SignatureCheck.Valid => null,
                SignatureCheck.TooOld or SignatureCheck.InFuture => Reject(IngressOutcome.Stale, StatusCodes.Status401Unauthorized, "Stale signature",
                    $"The signature's timestamp is more than {limits.SignatureToleranceSeconds} s {(check == SignatureCheck.TooOld ? "in the past" : "in the future")}."),
                _ => Reject(IngressOutcome.BadSignature, StatusCodes.Status401Unauthorized, "Bad signature",
                    check == SignatureCheck.Mismatch
                        ? $"The {source.SignatureHeader} signature does not match this body and the funnel's {source.SecretKey}."
                        : $"The {source.SignatureHeader} header must look like t=<unix seconds>,v1=<64 hex digits>."),
            };
        }
    }
}
