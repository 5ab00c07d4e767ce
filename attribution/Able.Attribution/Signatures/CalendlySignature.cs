namespace Able.Attribution.Signatures;

/// <summary>
/// Calendly's <c>Calendly-Webhook-Signature: t=&lt;unix&gt;,v1=&lt;hex&gt;</c>, keyed with the subscription's
/// signing key (reference: Calendly webhook deliveries). The rules are <see cref="WebhookSignature"/>'s.
/// </summary>
public static class CalendlySignature
{
    public const string HeaderName = "Calendly-Webhook-Signature";

    public static SignatureCheck Verify(ReadOnlySpan<byte> body, string? header, string signingKey, DateTimeOffset now, TimeSpan tolerance) =>
        WebhookSignature.Verify(body, header, signingKey, now, tolerance);
}
