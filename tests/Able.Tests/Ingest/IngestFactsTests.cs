using System.Text;
using System.Text.Json;
using Able.Attribution.Conversions;
using Able.Attribution.Identity;
using Able.Attribution.Ingest;
using Able.Schema.Configuration;
using Able.Schema.Identity;
using StackExchange.Redis;

namespace Able.Tests.Ingest;

/// <summary>
/// What the ingest stream stores of a delivery (README, "Privacy: what is stored at rest"): hashes and the fields the
/// worker uses, never the raw contact data, and enough to decide exactly as from the raw body.
/// </summary>
public sealed class IngestFactsTests
{
    private static readonly FunnelOptions Funnel = new() { Mark = "acme", Hosts = ["book.example.com"], DefaultPhoneRegion = "US" };

    public static TheoryData<string, string> AllFixtures() => Fixtures.All();

    [Theory]
    [MemberData(nameof(AllFixtures))]
    public void A_fixtures_facts_hold_no_raw_contact_data_and_decide_as_its_body_did(string source, string file)
    {
        var body = Fixtures.Read($"{source}/{file}", "c2FtcGxlLXZpc2l0b3ItMQ");

        var stored = IngestFacts.Parse(source, Encoding.UTF8.GetBytes(body), Funnel.DefaultPhoneRegion).ToUtf8Json();

        var text = Encoding.UTF8.GetString(stored);
        var personal = RawContactData.In(body, "US", "DE");
        Assert.All(personal, value => Assert.False(RawContactData.Holds(text, value.Kind, value.Value), $"{value.Kind} '{value.Value}' in {text}"));
        Assert.True(IngestFacts.TryRead(stored, out var facts, out var problem), problem);
        Assert.Equal(
            Json(ConversionClassifier.Classify(source, "", Encoding.UTF8.GetBytes(body), Funnel)),
            Json(ConversionClassifier.Classify(source, "", facts, Funnel)));
    }

    [Fact]
    public void Contact_data_is_kept_as_the_hashes_tiktok_gets()
    {
        var booking = IngestFacts.Parse(IngestEntry.Sources.Calendly, Fixtures.Bytes("calendly/invitee-created-free.json"), "DE").Calendly!;
        var payment = IngestFacts.Parse(IngestEntry.Sources.Stripe, Fixtures.Bytes("stripe/checkout-session-completed.json"), "DE").Stripe!;
        var item = IngestFacts.Parse(IngestEntry.Sources.ConversionsApi, Encoding.UTF8.GetBytes(FixtureBodies.Conversion), "DE").Api!;

        var jane = ContactHashing.Sha256Hex("jane.doe@example.com");
        var janePhone = ContactHashing.Sha256Hex("+4915112345678");
        Assert.Equal((jane, janePhone), (booking.EmailHash, booking.PhoneHash));
        Assert.Equal((jane, janePhone), (payment.EmailHash, payment.PhoneHash));
        Assert.Equal((jane, janePhone, ContactHashing.Sha256Hex("crm-7")), (item.EmailHash, item.PhoneHash, item.ExternalIdHash));
        Assert.Equal(PhoneHashing.HashPhone("030 1234567", "DE"),
            IngestFacts.Parse(IngestEntry.Sources.ConversionsApi, """{"event":"Lead","event_id":"l","phone":"030 1234567"}"""u8.ToArray(), "DE").Api!.PhoneHash);
    }

    [Fact]
    public void A_tracking_value_with_an_at_sign_is_not_kept()
    {
        var body = Fixtures.Read("calendly/invitee-created-free.json", "c2FtcGxlLXZpc2l0b3ItMQ")
            .Replace("\"utm_campaign\": \"spring_demo\"", "\"utm_campaign\": \"jane.doe@example.com\"", StringComparison.Ordinal);

        var booking = IngestFacts.Parse(IngestEntry.Sources.Calendly, Encoding.UTF8.GetBytes(body), "DE").Calendly!;

        Assert.False(booking.Tracking.ContainsKey("utm_campaign"));
        Assert.Equal("c2FtcGxlLXZpc2l0b3ItMQ", booking.Tracking["salesforce_uuid"]);
    }

    [Theory]
    [InlineData(IngestEntry.Sources.Calendly, "not json")]
    [InlineData(IngestEntry.Sources.Calendly, """{"payload":{"email":"jane.doe@example.com"}}""")]
    [InlineData(IngestEntry.Sources.Stripe, """{"type":"invoice.paid"}""")]
    [InlineData("fax", "{}")]
    public void A_body_that_cannot_be_read_is_kept_as_a_reason_and_recorded_malformed(string source, string body)
    {
        var facts = IngestFacts.Parse(source, Encoding.UTF8.GetBytes(body), "DE");
        Assert.True(IngestFacts.TryRead(facts.ToUtf8Json(), out var read, out _));

        var conversion = ConversionClassifier.Classify(source, "invitee.created", read, Funnel);

        Assert.NotNull(facts.Malformed);
        Assert.DoesNotContain("jane", Encoding.UTF8.GetString(facts.ToUtf8Json()), StringComparison.Ordinal);
        Assert.Equal(ConversionDecision.Malformed, conversion.Decision);
        Assert.Equal(facts.Malformed, conversion.Reason);
    }

    [Theory]
    [InlineData("""{"v":2,"calendly":{"source_type":"invitee.created"}}""", "version 2")]
    [InlineData("""{"calendly":{"source_type":"invitee.created"}}""", "no version")]
    [InlineData("""{"v":"1","malformed":"x"}""", "no version")]
    [InlineData("""{"v":1}""", "exactly one")]
    [InlineData("""{"v":1,"malformed":"x","api":{"event":"Lead"}}""", "exactly one")]
    [InlineData("""{"v":1,"calendly":{"email_hash":"secret-looking"}}""", "format")]
    [InlineData("""{"v":1,"stripe":{"source_type":"invoice.paid","amount":"lots"}}""", "format")]
    [InlineData("[1]", "no version")]
    [InlineData("{", "not JSON")]
    public void Stored_facts_of_another_version_or_shape_are_refused_without_quoting_them(string stored, string expected)
    {
        Assert.False(IngestFacts.TryRead(Encoding.UTF8.GetBytes(stored), out _, out var problem));

        Assert.Contains(expected, problem, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-looking", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_legacy_entry_is_kept_with_its_facts_in_place_of_the_raw_body()
    {
        var body = Fixtures.Bytes("calendly/invitee-created-free.json");
        var entry = new StreamEntry("1-0",
        [
            new(IngestEntry.Source, IngestEntry.Sources.Calendly), new(IngestEntry.Mark, "acme"), new(IngestEntry.SourceEvent, "invitee.created"),
            new(IngestEntry.ReceivedAt, "1000"), new(IngestEntry.Body, body),
        ]);

        var kept = IngestFacts.WithoutRawBody(entry, "DE");

        Assert.True(IngestFacts.HoldsRawBody(entry));
        Assert.False(IngestFacts.HoldsRawBody(kept));
        Assert.Equal(entry.Id, kept.Id);
        Assert.Equal(["source", "funnel", "type", "received_at", "facts"], kept.Values.Select(v => v.Name.ToString()));
        Assert.Equal(IngestFacts.Parse(IngestEntry.Sources.Calendly, body, "DE").ToUtf8Json(), (byte[])kept[IngestEntry.Facts]!);
        Assert.Equal(kept.Values, IngestFacts.WithoutRawBody(kept, "DE").Values);
    }

    private static string Json(Conversion conversion) => JsonSerializer.Serialize(conversion);
}
