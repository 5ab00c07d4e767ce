using Able.Attribution.Ingest;
using Able.Attribution.Signatures;
using Able.Schema.Configuration;

namespace Able.Attribution.Service.Ingress;

/// <summary>What differs between the signed webhook senders: header, secret, signature rule and envelope.</summary>
internal sealed record WebhookSource(
    string Name,
    string DisplayName,
    string SignatureHeader,
    string SecretKey,
    Func<FunnelOptions, string?> Secret,
    Func<ReadOnlySpan<byte>, string?, string, DateTimeOffset, TimeSpan, SignatureCheck> Verify,
    Func<ReadOnlyMemory<byte>, EnvelopeCheck> CheckEnvelope)
{
    public static readonly WebhookSource Calendly = new(
        IngestEntry.Sources.Calendly, "Calendly", CalendlySignature.HeaderName, "Calendly:SigningKey",
        funnel => funnel.Calendly.SigningKey, CalendlySignature.Verify, WebhookEnvelope.CheckCalendly);

    public static readonly WebhookSource Stripe = new(
        IngestEntry.Sources.Stripe, "Stripe", StripeSignature.HeaderName, "Stripe:WebhookSecret",
        funnel => funnel.Stripe.WebhookSecret, StripeSignature.Verify, WebhookEnvelope.CheckStripe);
}
