namespace Able.Attribution.Signatures;

/// <summary>
/// Stripe's <c>Stripe-Signature: t=&lt;unix&gt;,v1=&lt;hex&gt;[,v1=...]</c>, keyed with the endpoint secret
/// (<c>whsec_...</c>, used whole as Stripe's own libraries do). Any matching <c>v1</c> passes; the test-mode
/// <c>v0</c> scheme is ignored. The rules are <see cref="WebhookSignature"/>'s.
/// </summary>
public static class StripeSignature
{
    public const string HeaderName = "Stripe-Signature";

    public static SignatureCheck Verify(ReadOnlySpan<byte> body, string? header, string webhookSecret, DateTimeOffset now, TimeSpan tolerance) =>
        WebhookSignature.Verify(body, header, webhookSecret, now, tolerance);
}
