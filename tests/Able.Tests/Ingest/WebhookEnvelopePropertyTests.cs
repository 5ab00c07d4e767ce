using Able.Attribution.Ingest;
using CsCheck;

namespace Able.Tests.Ingest;

/// <summary>
/// The ingress shape check on any signed body: a verdict, never a throw; an accepted body names a known event. Checked
/// with its facts, it gives the same verdict, and for an accepted body the facts <see cref="IngestFacts.Parse"/> gives.
/// </summary>
public sealed class WebhookEnvelopePropertyTests
{
    [Fact]
    public void Any_calendly_body_gets_a_verdict() =>
        AdversarialInput.JsonBodies(FixtureBodies.Calendly).Sample(body =>
        {
            var check = WebhookEnvelope.CheckCalendly(body);
            Assert.True(check.Verdict != EnvelopeVerdict.Malformed || check.Problem is not null);
            Assert.Equal(check, WebhookEnvelope.CheckCalendly(body, "DE", out var facts));
            AssertSameFacts(IngestEntry.Sources.Calendly, body, check, facts);
        }, iter: AdversarialInput.Iterations);

    [Fact]
    public void Any_stripe_body_gets_a_verdict() =>
        AdversarialInput.JsonBodies(FixtureBodies.Stripe).Sample(body =>
        {
            var check = WebhookEnvelope.CheckStripe(body);
            Assert.True(check.Verdict != EnvelopeVerdict.Malformed || check.Problem is not null);
            Assert.Equal(check, WebhookEnvelope.CheckStripe(body, "DE", out var facts));
            AssertSameFacts(IngestEntry.Sources.Stripe, body, check, facts);
        }, iter: AdversarialInput.Iterations);

    private static void AssertSameFacts(string source, byte[] body, EnvelopeCheck check, IngestFacts? facts)
    {
        if (check.Verdict == EnvelopeVerdict.Accept)
        {
            Assert.Equal(IngestFacts.Parse(source, body, "DE").ToUtf8Json(), facts!.ToUtf8Json());
        }
        else
        {
            Assert.Null(facts);
        }
    }
}
