using Able.Attribution.Ingest;
using CsCheck;

namespace Able.Tests.Ingest;

/// <summary>The ingress shape check on any signed body: a verdict, never a throw; an accepted body names a known event.</summary>
public sealed class WebhookEnvelopePropertyTests
{
    [Fact]
    public void Any_calendly_body_gets_a_verdict() =>
        AdversarialInput.JsonBodies(FixtureBodies.Calendly).Sample(body =>
        {
            var check = WebhookEnvelope.CheckCalendly(body);
            Assert.True(check.Verdict != EnvelopeVerdict.Malformed || check.Problem is not null);
        }, iter: AdversarialInput.Iterations);

    [Fact]
    public void Any_stripe_body_gets_a_verdict() =>
        AdversarialInput.JsonBodies(FixtureBodies.Stripe).Sample(body =>
        {
            var check = WebhookEnvelope.CheckStripe(body);
            Assert.True(check.Verdict != EnvelopeVerdict.Malformed || check.Problem is not null);
        }, iter: AdversarialInput.Iterations);
}
