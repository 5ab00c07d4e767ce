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

    private const string FreeInvitee = "c3e9d0f2-71aa-4b8e-8e25-4a6f0b9d2c71";
    private const string PaidInvitee = "9e8d7c6b-1111-4111-8111-bbbbbbbbbbbb";
    private const string RescheduledInvitee = "5a4b3c2d-4444-4444-8444-eeeeeeeeeeee";
    private const string CheckoutPaymentIntent = "pi_3QcS0ZLkdIwHu7ix1AbCdEfG";
    private const string InvoicePaymentIntent = "pi_3QcT9ZLkdIwHu7ix0ZyXwVuT";

    private static Conversion Stripe(string json) =>
        ConversionClassifier.Classify(IngestEntry.Sources.Stripe, "", System.Text.Encoding.UTF8.GetBytes(json), Funnel);

    private static string Checkout(string from, string to)
    {
        var json = Fixtures.Read("stripe/checkout-session-completed.json");
        Assert.Contains(from, json, StringComparison.Ordinal);
        return json.Replace(from, to, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unpaid_checkout_with_an_amount_is_recorded_not_sent()
    {
        var conversion = Stripe(Checkout("\"payment_status\": \"paid\"", "\"payment_status\": \"unpaid\""));

        Assert.Equal(ConversionDecision.Record, conversion.Decision);
        Assert.Null(conversion.TikTokEvent);
        Assert.Null(conversion.EventId);
        Assert.Equal(1490m, conversion.Value);
        Assert.Equal($"checkout.session.completed:{CheckoutPaymentIntent}", conversion.ReceiptId);
        Assert.Contains("not paid", conversion.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_checkout_that_needed_no_payment_is_a_purchase()
    {
        var conversion = Stripe(Checkout("\"payment_status\": \"paid\"", "\"payment_status\": \"no_payment_required\""));

        Assert.Equal(ConversionDecision.Send, conversion.Decision);
        Assert.Equal("Purchase", conversion.TikTokEvent);
    }

    public static TheoryData<string, string, string> PaidWithoutAmount() => new()
    {
        { "checkout without amount_total", "stripe/checkout-session-completed.json", "\"amount_total\": 149000," },
        { "checkout without currency", "stripe/checkout-session-completed.json", "\"currency\": \"eur\"," },
        { "invoice without amount_paid", "stripe/invoice-paid.json", "\"amount_paid\": 4900," },
    };

    /// <summary>A purchase is sent with its value or not at all: paid, but without an amount (or its currency), it is recorded.</summary>
    [Theory]
    [MemberData(nameof(PaidWithoutAmount))]
    public void A_paid_payment_without_an_amount_is_recorded_not_sent(string because, string fixture, string removed)
    {
        var json = Fixtures.Read(fixture);
        Assert.Contains(removed, json, StringComparison.Ordinal);

        var conversion = Stripe(json.Replace(removed, "", StringComparison.Ordinal));

        Assert.True(ConversionDecision.Record == conversion.Decision, because);
        Assert.Null(conversion.TikTokEvent);
        Assert.Null(conversion.Value);
        Assert.Contains("no amount", conversion.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("not paid", conversion.Reason, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> ReceiptIds() => new()
    {
        { IngestEntry.Sources.Calendly, "calendly/invitee-created-free.json", $"schedule:{FreeInvitee}" },
        { IngestEntry.Sources.Calendly, "calendly/invitee-created-untracked.json", "schedule:6c6c6c6c-6666-4666-8666-111111111111" },
        { IngestEntry.Sources.Calendly, "calendly/invitee-created-paid.json", $"purchase:{PaidInvitee}" },
        { IngestEntry.Sources.Calendly, "calendly/invitee-created-rescheduled.json", $"invitee.created:{RescheduledInvitee}" },
        { IngestEntry.Sources.Calendly, "calendly/invitee-canceled-rescheduled.json", $"reschedule:{FreeInvitee}" },
        { IngestEntry.Sources.Calendly, "calendly/invitee-canceled.json", $"invitee.canceled:{FreeInvitee}" },
        { IngestEntry.Sources.Calendly, "calendly/invitee-no-show-created.json", $"invitee_no_show.created:{FreeInvitee}" },
        { IngestEntry.Sources.Stripe, "stripe/checkout-session-completed.json", $"purchase:stripe:{CheckoutPaymentIntent}" },
        { IngestEntry.Sources.Stripe, "stripe/checkout-session-completed-jpy.json", "purchase:stripe:pi_3QcU1bLkdIwHu7ixJpYJpYJp" },
        { IngestEntry.Sources.Stripe, "stripe/invoice-paid.json", $"purchase:stripe:{InvoicePaymentIntent}" },
    };

    /// <summary>
    /// The receipt id names what happened to which booking or payment (README, "Event mapping"), so each delivery
    /// has its own receipt and a redelivery finds the same one.
    /// </summary>
    [Theory]
    [MemberData(nameof(ReceiptIds))]
    public void Each_delivery_has_its_receipt_id_in_the_documented_format(string source, string fixture, string expected)
    {
        var body = Fixtures.Bytes(fixture, "c2FtcGxlLXZpc2l0b3ItMQ");

        var first = ConversionClassifier.Classify(source, "", body, Funnel);
        var again = ConversionClassifier.Classify(source, "", body, Funnel);

        Assert.Equal(expected, first.ReceiptId);
        Assert.Equal(first.ReceiptId, again.ReceiptId);
        if (first.Decision == ConversionDecision.Send)
        {
            Assert.Equal(first.ReceiptId, first.EventId);
        }
    }

    [Fact]
    public void Every_fixture_has_a_receipt_of_its_own()
    {
        var calendly = Directory.GetFiles(Path.Combine(Fixtures.Root, "calendly"), "*.json")
            .Select(f => ConversionClassifier.Classify(IngestEntry.Sources.Calendly, "", Fixtures.Bytes("calendly/" + Path.GetFileName(f)), Funnel));
        var stripe = Directory.GetFiles(Path.Combine(Fixtures.Root, "stripe"), "*.json")
            .Select(f => ConversionClassifier.Classify(IngestEntry.Sources.Stripe, "", Fixtures.Bytes("stripe/" + Path.GetFileName(f)), Funnel));
        var refund = Stripe("""{"id":"evt_9","type":"charge.refunded","created":1773321600,"data":{"object":{"id":"ch_9","amount_refunded":500,"currency":"usd","payment_intent":"pi_9"}}}""");
        var unpaid = Stripe(Checkout("\"payment_status\": \"paid\"", "\"payment_status\": \"unpaid\""));

        var receipts = calendly.Concat(stripe).Append(refund).Append(unpaid).Select(c => c.ReceiptId).ToArray();

        Assert.All(receipts, id => Assert.False(string.IsNullOrWhiteSpace(id)));
        Assert.Equal(receipts.Length, receipts.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal("charge.refunded:pi_9", refund.ReceiptId);
    }

    [Fact]
    public void Two_bookings_of_the_same_kind_get_two_receipts()
    {
        const string Other = "d4d4d4d4-4444-4444-8444-444444444444";
        var free = Fixtures.Read("calendly/invitee-created-free.json");
        var canceled = Fixtures.Read("calendly/invitee-canceled.json");

        string[] ids =
        [
            .. new[] { free, canceled }.SelectMany(json => new[] { json, json.Replace(FreeInvitee, Other, StringComparison.Ordinal) })
                .Select(json => ConversionClassifier.Classify(IngestEntry.Sources.Calendly, "", System.Text.Encoding.UTF8.GetBytes(json), Funnel).ReceiptId),
        ];

        Assert.Equal([$"schedule:{FreeInvitee}", $"schedule:{Other}", $"invitee.canceled:{FreeInvitee}", $"invitee.canceled:{Other}"], ids);
    }

    [Fact]
    public void Two_payments_get_two_receipts_named_after_the_payment()
    {
        var other = Stripe(Checkout(CheckoutPaymentIntent, "pi_other"));
        var first = Stripe(Fixtures.Read("stripe/checkout-session-completed.json"));

        Assert.Equal($"purchase:stripe:{CheckoutPaymentIntent}", first.ReceiptId);
        Assert.Equal("purchase:stripe:pi_other", other.ReceiptId);
    }

    [Fact]
    public void A_conversions_api_item_is_its_own_receipt_and_a_malformed_entry_is_named_after_its_source()
    {
        var item = ConversionClassifier.Classify(IngestEntry.Sources.ConversionsApi, "Lead", """{"event":"Lead","event_id":"lead-7"}"""u8.ToArray(), Funnel);
        var malformed = ConversionClassifier.Classify(IngestEntry.Sources.Stripe, "", "not json"u8.ToArray(), Funnel);

        Assert.Equal("lead-7", item.ReceiptId);
        Assert.Equal("lead-7", item.EventId);
        Assert.Equal("malformed:stripe", malformed.ReceiptId);
    }

    /// <summary><c>Calendly:EventTypes</c> lists the event types that count, by URI or uuid, in any case: a booking of any one of them counts.</summary>
    [Fact]
    public void A_funnel_with_several_event_types_takes_any_of_them_and_ignores_the_rest()
    {
        var filtered = Funnel with
        {
            Calendly = new CalendlyFunnelOptions
            {
                EventTypes = ["https://api.calendly.com/event_types/0b7e4c2d-9d15-4f63-8a0e-5c1d2e3f4a5b", "2C3D4E5F-2222-4222-8222-CCCCCCCCCCCC"],
            },
        };
        var third = Fixtures.Read("calendly/invitee-created-free.json")
            .Replace("0b7e4c2d-9d15-4f63-8a0e-5c1d2e3f4a5b", "3d4e5f6a-3333-4333-8333-dddddddddddd", StringComparison.Ordinal);

        var free = ConversionClassifier.Classify(IngestEntry.Sources.Calendly, "", Fixtures.Bytes("calendly/invitee-created-free.json"), filtered);
        var paid = ConversionClassifier.Classify(IngestEntry.Sources.Calendly, "", Fixtures.Bytes("calendly/invitee-created-paid.json"), filtered);
        var other = ConversionClassifier.Classify(IngestEntry.Sources.Calendly, "", System.Text.Encoding.UTF8.GetBytes(third), filtered);

        Assert.Equal(ConversionDecision.Send, free.Decision);
        Assert.Equal(ConversionDecision.Send, paid.Decision);
        Assert.Equal(ConversionDecision.Ignore, other.Decision);
        Assert.Contains("Calendly:EventTypes", other.Reason, StringComparison.Ordinal);
    }
}
