using Able.Attribution.Conversions;
using Able.Schema.Configuration;
using CsCheck;

namespace Able.Tests.Conversions;

/// <summary>
/// The worker's classification of any queued body: a decision (send, record, ignore, malformed), never a throw,
/// which would leave the entry failing at every delivery.
/// </summary>
public sealed class ConversionClassifierPropertyTests
{
    private static readonly FunnelOptions Funnel = new() { Mark = "acme", Hosts = ["book.example.com"], Origin = "https://origin.example.com", DefaultPhoneRegion = "DE" };

    public static TheoryData<string> Sources => ["calendly", "stripe", "api"];

    [Theory]
    [MemberData(nameof(Sources))]
    public void Any_body_of_any_source_is_classified(string source)
    {
        var fixtures = source switch { "calendly" => FixtureBodies.Calendly, "stripe" => FixtureBodies.Stripe, _ => FixtureBodies.ConversionBatches[..1] };
        var types = source switch
        {
            "calendly" => new[] { "invitee.created", "invitee.canceled", "invitee_no_show.created", "" },
            "stripe" => ["checkout.session.completed", "invoice.paid", "payment_intent.succeeded", ""],
            _ => ["Purchase", "Lead", "Schedule", ""],
        };
        Gen.Select(AdversarialInput.JsonBodies(fixtures), AdversarialInput.Weighted((4, AdversarialInput.Element(types)), (1, AdversarialInput.Text))).Sample((body, type) =>
        {
            var conversion = ConversionClassifier.Classify(source, type, body, Funnel);
            Assert.True(Enum.IsDefined(conversion.Decision));
        }, iter: AdversarialInput.Iterations);
    }
}
