using Able.Attribution.Conversions;
using Able.Attribution.Ingest;
using Able.Schema.Configuration;

namespace Able.Tests.Conversions;

public sealed class ConversionClassifierTests
{
    private static readonly FunnelOptions Funnel = new() { Mark = "acme", Hosts = ["book.example.com"], DefaultPhoneRegion = "US" };

    [Theory]
    [InlineData("calendly/invitee-created-free.json", ConversionDecision.Send, "Schedule", "schedule:c3e9d0f2-71aa-4b8e-8e25-4a6f0b9d2c71")]
    [InlineData("calendly/invitee-created-paid.json", ConversionDecision.Send, "Purchase", "purchase:9e8d7c6b-1111-4111-8111-bbbbbbbbbbbb")]
    [InlineData("calendly/invitee-created-untracked.json", ConversionDecision.Send, "Schedule", "schedule:6c6c6c6c-6666-4666-8666-111111111111")]
    [InlineData("calendly/invitee-created-rescheduled.json", ConversionDecision.Record, null, null)]
    [InlineData("calendly/invitee-canceled-rescheduled.json", ConversionDecision.Record, null, null)]
    [InlineData("calendly/invitee-canceled.json", ConversionDecision.Record, null, null)]
    [InlineData("calendly/invitee-no-show-created.json", ConversionDecision.Record, null, null)]
    public void Calendly_deliveries_are_classified(string fixture, ConversionDecision decision, string? tikTokEvent, string? eventId)
    {
        var conversion = ConversionClassifier.Classify(IngestEntry.Sources.Calendly, "", Fixtures.Bytes(fixture, "c2FtcGxlLXZpc2l0b3ItMQ"), Funnel);

        Assert.Equal(decision, conversion.Decision);
        Assert.Equal(tikTokEvent, conversion.TikTokEvent);
        Assert.Equal(eventId, conversion.EventId);
        Assert.NotNull(conversion.InviteeUuid);
        Assert.NotNull(conversion.Reason ?? conversion.EventId);
    }

    [Theory]
    [InlineData("stripe/checkout-session-completed.json", 1490, "EUR")]
    [InlineData("stripe/invoice-paid.json", 49, "USD")]
    [InlineData("stripe/checkout-session-completed-jpy.json", 15000, "JPY")]
    public void Stripe_payments_are_purchases_in_major_units(string fixture, int value, string currency)
    {
        var conversion = ConversionClassifier.Classify(IngestEntry.Sources.Stripe, "", Fixtures.Bytes(fixture), Funnel);

        Assert.Equal(ConversionDecision.Send, conversion.Decision);
        Assert.Equal("Purchase", conversion.TikTokEvent);
        Assert.Equal(value, conversion.Value);
        Assert.Equal(currency, conversion.Currency);
        Assert.StartsWith("purchase:stripe:pi_", conversion.EventId, StringComparison.Ordinal);
    }

    [Fact]
    public void A_subscription_checkout_is_recorded_because_its_first_invoice_is_the_purchase()
    {
        var checkout = Fixtures.Read("stripe/checkout-session-completed.json").Replace("\"mode\": \"payment\"", "\"mode\": \"subscription\"", StringComparison.Ordinal);
        Assert.Contains("\"subscription\"", checkout, StringComparison.Ordinal);

        var conversion = ConversionClassifier.Classify(IngestEntry.Sources.Stripe, "", System.Text.Encoding.UTF8.GetBytes(checkout), Funnel);

        Assert.Equal(ConversionDecision.Record, conversion.Decision);
        Assert.Contains("invoice.paid", conversion.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_paid_invoice_of_nothing_is_recorded_not_sent()
    {
        var trial = Fixtures.Read("stripe/invoice-paid.json").Replace("\"amount_paid\": 4900", "\"amount_paid\": 0", StringComparison.Ordinal);
        Assert.Contains("\"amount_paid\": 0", trial, StringComparison.Ordinal);

        var conversion = ConversionClassifier.Classify(IngestEntry.Sources.Stripe, "", System.Text.Encoding.UTF8.GetBytes(trial), Funnel);

        Assert.Equal(ConversionDecision.Record, conversion.Decision);
    }

    [Fact]
    public void A_refund_is_recorded_not_sent()
    {
        var refund = """{"id":"evt_1","type":"charge.refunded","created":1773321600,"data":{"object":{"id":"ch_1","amount_refunded":500,"currency":"usd","payment_intent":"pi_1"}}}"""u8.ToArray();

        var conversion = ConversionClassifier.Classify(IngestEntry.Sources.Stripe, "charge.refunded", refund, Funnel);

        Assert.Equal(ConversionDecision.Record, conversion.Decision);
        Assert.Equal(5m, conversion.Value);
    }

    [Fact]
    public void The_funnel_event_type_filter_ignores_other_event_types()
    {
        var filtered = Funnel with { Calendly = new CalendlyFunnelOptions { EventTypes = ["2c3d4e5f-2222-4222-8222-cccccccccccc"] } };

        var free = ConversionClassifier.Classify(IngestEntry.Sources.Calendly, "", Fixtures.Bytes("calendly/invitee-created-free.json"), filtered);
        var paid = ConversionClassifier.Classify(IngestEntry.Sources.Calendly, "", Fixtures.Bytes("calendly/invitee-created-paid.json"), filtered);

        Assert.Equal(ConversionDecision.Ignore, free.Decision);
        Assert.Equal(ConversionDecision.Send, paid.Decision);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"payload\":{}}")]
    [InlineData("{\"event\":\"invitee.created\",\"payload\":{\"email\":\"a@b.c\"}}")]
    public void A_malformed_delivery_is_reported_with_a_reason(string body)
    {
        var conversion = ConversionClassifier.Classify(IngestEntry.Sources.Calendly, "", System.Text.Encoding.UTF8.GetBytes(body), Funnel);

        Assert.Equal(ConversionDecision.Malformed, conversion.Decision);
        Assert.False(string.IsNullOrEmpty(conversion.Reason));
    }

    [Fact]
    public void Unknown_fields_and_new_location_types_do_not_break_parsing()
    {
        var body = Fixtures.Read("calendly/invitee-created-free.json")
            .Replace("\"google_conference\"", "\"holo_meeting\"", StringComparison.Ordinal)
            .Replace("\"rescheduled\": false,", "\"rescheduled\": false, \"brand_new\": {\"x\": [1,2]},", StringComparison.Ordinal);

        var conversion = ConversionClassifier.Classify(IngestEntry.Sources.Calendly, "", System.Text.Encoding.UTF8.GetBytes(body), Funnel);

        Assert.Equal(ConversionDecision.Send, conversion.Decision);
    }
}
