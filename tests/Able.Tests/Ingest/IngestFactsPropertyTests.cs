using System.Text;
using System.Text.Json;
using Able.Attribution.Conversions;
using Able.Attribution.Ingest;
using Able.Schema.Configuration;
using CsCheck;

namespace Able.Tests.Ingest;

/// <summary>
/// The facts parser and their stored form on hostile input: parsing any body of any source gives facts, never a throw;
/// what is stored reads back to the same facts and the same decision; any stored bytes read back or are refused.
/// </summary>
public sealed class IngestFactsPropertyTests
{
    private static readonly FunnelOptions Funnel = new() { Mark = "acme", Hosts = ["book.example.com"], DefaultPhoneRegion = "DE" };

    public static TheoryData<string> Sources => [IngestEntry.Sources.Calendly, IngestEntry.Sources.Stripe, IngestEntry.Sources.ConversionsApi];

    private static readonly Gen<string> Regions = AdversarialInput.Weighted((4, AdversarialInput.Element("DE", "US", "GB", "JP", "ZZ")), (1, AdversarialInput.Text));

    [Theory]
    [MemberData(nameof(Sources))]
    public void Any_body_gives_facts_that_round_trip_and_decide_the_same(string source)
    {
        var fixtures = source switch
        {
            IngestEntry.Sources.Calendly => FixtureBodies.Calendly,
            IngestEntry.Sources.Stripe => FixtureBodies.Stripe,
            _ => [FixtureBodies.Conversion],
        };
        Gen.Select(AdversarialInput.JsonBodies(fixtures), Regions).Sample((body, region) =>
        {
            var facts = IngestFacts.Parse(source, body, region);
            var stored = facts.ToUtf8Json();

            Assert.True(IngestFacts.TryRead(stored, out var read, out var problem), problem);
            Assert.Equal(stored, read.ToUtf8Json());
            Assert.Equal(
                JsonSerializer.Serialize(ConversionClassifier.Classify(source, "", facts, Funnel)),
                JsonSerializer.Serialize(ConversionClassifier.Classify(source, "", read, Funnel)));
        }, iter: AdversarialInput.Iterations);
    }

    [Fact]
    public void Any_stored_bytes_are_read_or_refused_never_thrown_on()
    {
        var stored = FixtureBodies.Calendly.Select(b => IngestFacts.Parse(IngestEntry.Sources.Calendly, Encoding.UTF8.GetBytes(b), "DE"))
            .Concat(FixtureBodies.Stripe.Select(b => IngestFacts.Parse(IngestEntry.Sources.Stripe, Encoding.UTF8.GetBytes(b), "DE")))
            .Append(IngestFacts.Parse(IngestEntry.Sources.ConversionsApi, Encoding.UTF8.GetBytes(FixtureBodies.Conversion), "DE"))
            .Append(IngestFacts.Parse(IngestEntry.Sources.Calendly, "not json"u8.ToArray(), "DE"))
            .Select(f => Encoding.UTF8.GetString(f.ToUtf8Json()))
            .ToArray();
        AdversarialInput.JsonBodies(stored).Sample(bytes =>
        {
            if (IngestFacts.TryRead(bytes, out var facts, out var problem))
            {
                Assert.True(IngestFacts.TryRead(facts.ToUtf8Json(), out _, out var again), again);
                Assert.True(Enum.IsDefined(ConversionClassifier.Classify(IngestEntry.Sources.Calendly, "", facts, Funnel).Decision));
            }
            else
            {
                Assert.False(string.IsNullOrEmpty(problem));
            }
        }, iter: AdversarialInput.Iterations);
    }
}
