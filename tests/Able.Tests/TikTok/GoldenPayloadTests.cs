using System.Text;
using System.Text.Json.Nodes;
using Able.Attribution.Conversions;
using Able.Attribution.Ingest;
using Able.Attribution.TikTok;
using Able.Attribution.Visitors;
using Able.Schema.Configuration;
using Able.Schema.Visitors;

namespace Able.Tests.TikTok;

/// <summary>Each fixture → exactly the TikTok request body the reference describes (hashes are the reference's worked values).</summary>
public sealed class GoldenPayloadTests
{
    private const string VisitorId = "c2FtcGxlLXZpc2l0b3ItMQ";
    private const string VisitorIdHash = "7946daa8f9dcd24e62d0d3fb5353d7be57fccd48be61abfa11e523f8c5e62f96";
    private const string JaneEmail = "86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d";
    private const string JanePhone = "536afd523e19dc83fccba822ef5e4ca646111314aaf0aa286667c5bea18dd70b";

    private static readonly FunnelOptions Funnel = new()
    {
        Mark = "acme",
        Hosts = ["book.example.com"],
        Origin = "https://origin.example.com",
        DefaultPhoneRegion = "DE",
        TikTok = new TikTokFunnelOptions { PixelId = "CABCDEFGHIJKLMNOPQRS", TestEventCode = "TEST12345" },
    };

    private static readonly VisitorProfile Visitor = new()
    {
        VisitorId = VisitorId,
        ClickTtclid = "E.C.P.abc123",
        ClickAt = DateTimeOffset.Parse("2026-03-04T14:50:00Z", System.Globalization.CultureInfo.InvariantCulture),
        ClickUrl = "https://book.example.com/?ttclid=E.C.P.abc123&utm_source=tiktok",
        ClickReferrer = "https://www.tiktok.com/",
        Ttp = "2F7h37YkS1j57AYSKTI7IHhJPYH",
        Ip = "203.0.113.10",
        UserAgent = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X)",
        AcceptLanguage = "de-DE,de;q=0.9,en;q=0.8",
    };

    private const string VisitorUser = $$"""
        "ttclid":"E.C.P.abc123","ttp":"2F7h37YkS1j57AYSKTI7IHhJPYH","external_id":["{{VisitorIdHash}}"],
        "ip":"203.0.113.10","user_agent":"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X)","locale":"de-DE"
        """;

    private const string VisitorPage = """
        "page":{"url":"https://book.example.com/?ttclid=E.C.P.abc123&utm_source=tiktok","referrer":"https://www.tiktok.com/"}
        """;

    public static TheoryData<string, string, string, bool> Cases => new()
    {
        {
            IngestEntry.Sources.Calendly, "calendly/invitee-created-free.json", $$"""
            {"event":"Schedule","event_time":1772636530,"event_id":"schedule:c3e9d0f2-71aa-4b8e-8e25-4a6f0b9d2c71",
             "user":{{{VisitorUser}},"email":["{{JaneEmail}}"],"phone":["{{JanePhone}}"]},
             {{VisitorPage}},
             "properties":{"content_type":"product","contents":[{"content_id":"0b7e4c2d-9d15-4f63-8a0e-5c1d2e3f4a5b","content_name":"30 Minute Discovery Call"}]},
             "limited_data_use":false}
            """, true
        },
        {
            IngestEntry.Sources.Calendly, "calendly/invitee-created-paid.json", $$"""
            {"event":"Purchase","event_time":1772636530,"event_id":"purchase:9e8d7c6b-1111-4111-8111-bbbbbbbbbbbb",
             "user":{{{VisitorUser}},"email":["ea809b6a7a1a5d8a63a04e93dcbfaeb6fe46bc1ea3d78968c00106d3157c5d79"]},
             {{VisitorPage}},
             "properties":{"value":149.0,"currency":"USD","content_type":"product",
               "contents":[{"content_id":"2c3d4e5f-2222-4222-8222-cccccccccccc","content_name":"60 Minute Paid Coaching"}],
               "order_id":"ch_3Qa1b2C3d4E5f6G7"},
             "limited_data_use":false}
            """, true
        },
        {
            IngestEntry.Sources.Calendly, "calendly/invitee-created-untracked.json", """
            {"event":"Schedule","event_time":1772636530,"event_id":"schedule:6c6c6c6c-6666-4666-8666-111111111111",
             "user":{"email":["3c001aa169b457dfb685d687180baca2c5d864e4991e69be793d2cd4ec7e1751"],
                     "phone":["9f7ec22d72092cd3c0b58726ed9c2d91b92e51a3f29837508fb2948bb22dd2fd"]},
             "page":{"url":"https://book.example.com/"},
             "properties":{"content_type":"product","contents":[{"content_id":"0b7e4c2d-9d15-4f63-8a0e-5c1d2e3f4a5b","content_name":"30 Minute Discovery Call"}]},
             "limited_data_use":false}
            """, false
        },
        {
            IngestEntry.Sources.Stripe, "stripe/checkout-session-completed.json", $$"""
            {"event":"Purchase","event_time":1773321600,"event_id":"purchase:stripe:pi_3QcS0ZLkdIwHu7ix1AbCdEfG",
             "user":{"email":["{{JaneEmail}}"],"phone":["{{JanePhone}}"]},
             "page":{"url":"https://book.example.com/"},
             "properties":{"value":1490.00,"currency":"EUR","content_type":"product","order_id":"cs_test_a1B2c3D4e5F6g7H8i9J0"},
             "limited_data_use":false}
            """, false
        },
        {
            IngestEntry.Sources.Stripe, "stripe/invoice-paid.json", """
            {"event":"Purchase","event_time":1773926400,"event_id":"purchase:stripe:pi_3QcT9ZLkdIwHu7ix0ZyXwVuT",
             "user":{"email":["ea809b6a7a1a5d8a63a04e93dcbfaeb6fe46bc1ea3d78968c00106d3157c5d79"]},
             "page":{"url":"https://book.example.com/"},
             "properties":{"value":49.00,"currency":"USD","content_type":"product","order_id":"in_1QcT9aLkdIwHu7ixQwErTyUi"},
             "limited_data_use":false}
            """, false
        },
        {
            IngestEntry.Sources.Stripe, "stripe/checkout-session-completed-jpy.json", """
            {"event":"Purchase","event_time":1773321600,"event_id":"purchase:stripe:pi_3QcU1bLkdIwHu7ixJpYJpYJp",
             "user":{"email":["d2f56a6a6e48e7c9273fff4f2f78399400c30b0310a47709dd7a7fad5bc133d5"]},
             "page":{"url":"https://book.example.com/"},
             "properties":{"value":15000,"currency":"JPY","content_type":"product","order_id":"cs_test_z9Y8x7W6v5U4t3S2r1Q0"},
             "limited_data_use":false}
            """, false
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fixture_builds_exactly_the_expected_TikTok_body(string source, string fixture, string expectedEvent, bool withVisitor)
    {
        var conversion = ConversionClassifier.Classify(source, "", Fixtures.Bytes(fixture, VisitorId), Funnel);
        Assert.Equal(ConversionDecision.Send, conversion.Decision);

        var built = TikTokEventBuilder.Build(conversion, withVisitor ? Visitor : null, Funnel);
        var body = TikTokEventBuilder.Body(Funnel.TikTok.PixelId, Funnel.TikTok.TestEventCode, [built.Event]);

        var expected = JsonNode.Parse($$"""
            {"event_source":"web","event_source_id":"CABCDEFGHIJKLMNOPQRS","test_event_code":"TEST12345","data":[{{expectedEvent}}]}
            """)!;
        var actual = JsonNode.Parse(body.ToJsonString())!;
        Assert.True(JsonNode.DeepEquals(expected, actual), $"expected\n{expected.ToJsonString()}\nactual\n{actual.ToJsonString()}");
    }

    [Fact]
    public void A_click_older_than_the_click_window_is_available_but_not_sent()
    {
        var conversion = ConversionClassifier.Classify(IngestEntry.Sources.Calendly, "", Fixtures.Bytes("calendly/invitee-created-free.json", VisitorId), Funnel);
        var oldClick = Visitor with { ClickAt = conversion.EventTime!.Value.AddDays(-8) };

        var built = TikTokEventBuilder.Build(conversion, oldClick, Funnel);

        Assert.Contains("ttclid", built.KeysAvailable);
        Assert.DoesNotContain("ttclid", built.KeysSent);
        Assert.False(built.Event["user"]!.AsObject().ContainsKey("ttclid"));
        Assert.Equal(8 * 86400, built.ClickAgeSeconds);
    }

    [Fact]
    public void Default_booking_value_and_limited_data_use_come_from_the_funnel()
    {
        var funnel = Funnel with
        {
            Calendly = new CalendlyFunnelOptions { DefaultBookingValue = 25m, DefaultBookingCurrency = "EUR" },
            TikTok = Funnel.TikTok with { LimitedDataUse = true },
        };
        var conversion = ConversionClassifier.Classify(IngestEntry.Sources.Calendly, "", Fixtures.Bytes("calendly/invitee-created-free.json", VisitorId), funnel);

        var built = TikTokEventBuilder.Build(conversion, Visitor, funnel);

        Assert.Equal(25m, built.Event["properties"]!["value"]!.GetValue<decimal>());
        Assert.Equal("EUR", (string?)built.Event["properties"]!["currency"]);
        Assert.True(built.Event["limited_data_use"]!.GetValue<bool>());
    }

    [Fact]
    public void Conversions_api_items_pass_through_with_their_own_event()
    {
        var item = Encoding.UTF8.GetBytes("""
            {"funnel":"acme","event":"CompleteRegistration","event_id":"crm-42","event_time":1773321600,"email":"JANE.DOE@example.com","value":10,"currency":"eur","visitor_id":"c2FtcGxlLXZpc2l0b3ItMQ","external_id":"user_123"}
            """);

        var conversion = ConversionClassifier.Classify(IngestEntry.Sources.ConversionsApi, "CompleteRegistration", item, Funnel);

        Assert.Equal(ConversionDecision.Send, conversion.Decision);
        Assert.Equal("CompleteRegistration", conversion.TikTokEvent);
        Assert.Equal("crm-42", conversion.EventId);
        Assert.Equal("EUR", conversion.Currency);
        Assert.Equal(VisitorId, conversion.CarriedVisitorId);
        Assert.Equal([JaneEmail], conversion.EmailHashes);

        var built = TikTokEventBuilder.Build(conversion, Visitor, Funnel);
        Assert.Equal(
            [VisitorIdHash, "80fba0ae1c48e3978e43e4efc365e14e12ea0c830ba8ba5b9a2dafc7e3f2ab8b"],
            built.Event["user"]!["external_id"]!.AsArray().Select(n => (string)n!));
        Assert.Equal("CompleteRegistration", (string?)built.Event["event"]);
    }
}
