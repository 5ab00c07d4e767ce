using Able.Attribution.Ingest;
using Able.Schema.Configuration;

namespace Able.Attribution.Service.Ingress;

/// <summary>
/// Checks a sender's envelope and, for a delivery to queue, reads its facts from the same parse of the body
/// (<see cref="WebhookEnvelope.CheckCalendly(ReadOnlyMemory{byte}, string, out IngestFacts?)"/>).
/// </summary>
internal delegate EnvelopeCheck EnvelopeReader(ReadOnlyMemory<byte> body, string defaultPhoneRegion, out IngestFacts? facts);

/// <summary>
/// What differs between the signed webhook senders: header, secret and envelope. Both sign the same way
/// (<see cref="Signatures.WebhookSignature"/>: <c>t=&lt;unix&gt;,v1=&lt;hex&gt;</c>, any matching <c>v1</c> passes):
/// Calendly with the subscription's signing key, Stripe with the endpoint secret (<c>whsec_...</c>, used whole
/// as Stripe's own libraries do; its test-mode <c>v0</c> scheme is ignored).
/// </summary>
internal sealed record WebhookSource(
    string Name,
    string DisplayName,
    string SignatureHeader,
    string SecretKey,
    Func<FunnelOptions, string?> Secret,
    Func<FunnelOptions, DateTimeOffset, string?> PreviousSecret,
    EnvelopeReader CheckEnvelope)
{
    /// <summary>Calendly: the subscription's signing key, and for a grace period after a subscription was recreated, the key it replaced.</summary>
    public static readonly WebhookSource Calendly = new(
        IngestEntry.Sources.Calendly, "Calendly", "Calendly-Webhook-Signature", "Calendly:SigningKey",
        funnel => funnel.Calendly.SigningKey,
        (funnel, now) => funnel.Calendly.PreviousSigningKeyValidUntil > now ? funnel.Calendly.PreviousSigningKey : null,
        WebhookEnvelope.CheckCalendly);

    public static readonly WebhookSource Stripe = new(
        IngestEntry.Sources.Stripe, "Stripe", "Stripe-Signature", "Stripe:WebhookSecret",
        funnel => funnel.Stripe.WebhookSecret, (_, _) => null, WebhookEnvelope.CheckStripe);
}
