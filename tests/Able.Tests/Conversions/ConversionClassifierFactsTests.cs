using Able.Attribution.Calendly;
using Able.Attribution.Conversions;
using Able.Attribution.Ingest;
using Able.Attribution.Stripe;
using Able.Schema.Configuration;

namespace Able.Tests.Conversions;

/// <summary>
/// What the classifier decides from the facts the ingress stored (README, "Event mapping"): which entries are sent
/// as which TikTok event with which event_id, value and contact hashes, which are only recorded, ignored or malformed,
/// and under which receipt id.
/// </summary>
public sealed class ConversionClassifierFactsTests
{
    private const string Uuid = "c3e9d0f2-71aa-4b8e-8e25-4a6f0b9d2c71";
    private const string EventTypeUuid = "0b7e4c2d-9d15-4f63-8a0e-5c1d2e3f4a5b";
    private const string EventTypeUri = "https://api.calendly.com/event_types/" + EventTypeUuid;
    private const string EmailHash = "86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d";
    private const string PhoneHash = "536afd523e19dc83fccba822ef5e4ca646111314aaf0aa286667c5bea18dd70b";
    private const string ExternalIdHash = "80fba0ae1c48e3978e43e4efc365e14e12ea0c830ba8ba5b9a2dafc7e3f2ab8b";

    private static readonly DateTimeOffset BookedAt = new(2026, 3, 4, 15, 2, 10, TimeSpan.Zero);
    private static readonly DateTimeOffset DeliveredAt = new(2026, 3, 4, 15, 2, 11, TimeSpan.Zero);

    private static readonly FunnelOptions Funnel = new() { Mark = "acme", Hosts = ["book.example.com"], DefaultPhoneRegion = "US" };

    private static CalendlyBooking Booking(string sourceEvent = "invitee.created") => new()
    {
        SourceEvent = sourceEvent,
        CreatedAt = DeliveredAt,
        InviteeUuid = Uuid,
        InviteeCreatedAt = BookedAt,
        EmailHash = EmailHash,
        PhoneHash = PhoneHash,
        Tracking = new Dictionary<string, string>(StringComparer.Ordinal) { ["salesforce_uuid"] = "visitor-1", ["utm_source"] = "tiktok" },
        EventTypeUri = EventTypeUri,
        EventName = "30 Minute Discovery Call",
    };

    private static Conversion Classify(CalendlyBooking booking, FunnelOptions? funnel = null) =>
        ConversionClassifier.Classify(IngestEntry.Sources.Calendly, booking.SourceEvent, new IngestFacts { Calendly = booking }, funnel ?? Funnel);

    private static Conversion Classify(StripePayment payment) =>
        ConversionClassifier.Classify(IngestEntry.Sources.Stripe, payment.SourceEvent, new IngestFacts { Stripe = payment }, Funnel);

    private static Conversion Classify(ApiConversion item, string type = "Lead") =>
        ConversionClassifier.Classify(IngestEntry.Sources.ConversionsApi, type, new IngestFacts { Api = item }, Funnel);

    // --- Calendly

    [Fact]
    public void A_new_free_booking_is_a_schedule_carrying_everything_that_finds_the_visitor()
    {
        var conversion = Classify(Booking());

        Assert.Equal(ConversionDecision.Send, conversion.Decision);
        Assert.Equal("acme", conversion.Mark);
        Assert.Equal(IngestEntry.Sources.Calendly, conversion.Source);
        Assert.Equal("invitee.created", conversion.SourceEvent);
        Assert.Equal("Schedule", conversion.TikTokEvent);
        Assert.Equal($"schedule:{Uuid}", conversion.EventId);
        Assert.Equal($"schedule:{Uuid}", conversion.ReceiptId);
        Assert.Null(conversion.Reason);
        Assert.Equal(BookedAt, conversion.EventTime);
        Assert.Equal([EmailHash], conversion.EmailHashes);
        Assert.Equal([PhoneHash], conversion.PhoneHashes);
        Assert.Empty(conversion.ExternalIdHashes);
        Assert.Equal("visitor-1", conversion.CarriedVisitorId);
        Assert.Equal("salesforce_uuid", conversion.CarrierName);
        Assert.Equal(Uuid, conversion.InviteeUuid);
        Assert.Equal(EventTypeUuid, conversion.ContentId);
        Assert.Equal("30 Minute Discovery Call", conversion.ContentName);
        Assert.Null(conversion.Value);
        Assert.Null(conversion.Currency);
        Assert.Null(conversion.OrderId);
        Assert.True(conversion.WaitsForLateJoin);
    }

    [Fact]
    public void A_booking_without_contact_data_or_invitee_time_is_sent_with_no_hashes_at_the_delivery_time()
    {
        var conversion = Classify(Booking() with { EmailHash = null, PhoneHash = null, InviteeCreatedAt = null });

        Assert.Equal(ConversionDecision.Send, conversion.Decision);
        Assert.Empty(conversion.EmailHashes);
        Assert.Empty(conversion.PhoneHashes);
        Assert.Equal(DeliveredAt, conversion.EventTime);
    }

    [Fact]
    public void The_visitor_is_carried_in_the_funnels_carrier_parameter()
    {
        var funnel = Funnel with { Calendly = new CalendlyFunnelOptions { CarrierParam = "utm_content" } };
        var booking = Booking() with
        {
            Tracking = new Dictionary<string, string>(StringComparer.Ordinal) { ["salesforce_uuid"] = "other", ["utm_content"] = "visitor-2" },
        };

        var carried = Classify(booking, funnel);
        var untracked = Classify(Booking() with { Tracking = new Dictionary<string, string>(StringComparer.Ordinal) });

        Assert.Equal("visitor-2", carried.CarriedVisitorId);
        Assert.Equal("utm_content", carried.CarrierName);
        Assert.Null(untracked.CarriedVisitorId);
        Assert.Equal(ConversionDecision.Send, untracked.Decision);
    }

    [Fact]
    public void A_free_booking_has_the_funnels_default_booking_value_and_currency_when_one_is_set()
    {
        var valued = Funnel with { Calendly = new CalendlyFunnelOptions { DefaultBookingValue = 50m, DefaultBookingCurrency = "EUR" } };
        var currencyOnly = Funnel with { Calendly = new CalendlyFunnelOptions { DefaultBookingCurrency = "EUR" } };

        var withValue = Classify(Booking(), valued);
        var withoutValue = Classify(Booking(), currencyOnly);

        Assert.Equal(50m, withValue.Value);
        Assert.Equal("EUR", withValue.Currency);
        Assert.Null(withoutValue.Value);
        Assert.Null(withoutValue.Currency);
    }

    [Fact]
    public void A_paid_booking_is_a_purchase_of_the_payment()
    {
        var valued = Funnel with { Calendly = new CalendlyFunnelOptions { DefaultBookingValue = 50m, DefaultBookingCurrency = "EUR" } };
        var booking = Booking() with { Payment = new CalendlyPayment("ch_1", 149m, "USD", Successful: true) };

        var conversion = Classify(booking, valued);

        Assert.Equal(ConversionDecision.Send, conversion.Decision);
        Assert.Equal("Purchase", conversion.TikTokEvent);
        Assert.Equal($"purchase:{Uuid}", conversion.EventId);
        Assert.Equal($"purchase:{Uuid}", conversion.ReceiptId);
        Assert.Equal(149m, conversion.Value);
        Assert.Equal("USD", conversion.Currency);
        Assert.Equal("ch_1", conversion.OrderId);
        Assert.True(conversion.WaitsForLateJoin);
        Assert.Equal([EmailHash], conversion.EmailHashes);
        Assert.Equal("visitor-1", conversion.CarriedVisitorId);
    }

    [Theory]
    [InlineData(149, false)]
    [InlineData(0, true)]
    [InlineData(null, true)]
    public void A_booking_whose_payment_did_not_succeed_or_paid_nothing_is_a_schedule(int? amount, bool successful)
    {
        var conversion = Classify(Booking() with { Payment = new CalendlyPayment("ch_1", amount, "USD", successful) });

        Assert.Equal("Schedule", conversion.TikTokEvent);
        Assert.Equal($"schedule:{Uuid}", conversion.EventId);
        Assert.Null(conversion.Value);
        Assert.Null(conversion.OrderId);
    }

    public static TheoryData<string, CalendlyBooking, string, string> RecordedBookings() => new()
    {
        { "new half of a reschedule", Booking() with { OldInvitee = "https://api.calendly.com/invitees/old" }, $"invitee.created:{Uuid}", "rescheduled" },
        { "new half of a paid reschedule", Booking() with { OldInvitee = "old", Payment = new CalendlyPayment("ch_1", 149m, "USD", true) }, $"invitee.created:{Uuid}", "rescheduled" },
        { "cancel half of a reschedule", Booking("invitee.canceled") with { Rescheduled = true }, $"reschedule:{Uuid}", "rescheduled" },
        { "cancellation", Booking("invitee.canceled"), $"invitee.canceled:{Uuid}", "canceled" },
        { "no-show", Booking("invitee_no_show.created"), $"invitee_no_show.created:{Uuid}", "no-show" },
    };

    /// <summary>A reschedule, cancellation or no-show is kept in a receipt that says what it was; nothing is sent for it.</summary>
    [Theory]
    [MemberData(nameof(RecordedBookings))]
    public void Reschedules_cancellations_and_no_shows_are_recorded_not_sent(string because, CalendlyBooking booking, string receiptId, string reasonNames)
    {
        var conversion = Classify(booking);

        Assert.True(ConversionDecision.Record == conversion.Decision, because);
        Assert.Equal(receiptId, conversion.ReceiptId);
        Assert.Contains(reasonNames, conversion.Reason, StringComparison.Ordinal);
        Assert.Null(conversion.TikTokEvent);
        Assert.Null(conversion.EventId);
        Assert.Null(conversion.Value);
        Assert.False(conversion.WaitsForLateJoin);
        Assert.Equal(Uuid, conversion.InviteeUuid);
        Assert.Equal([EmailHash], conversion.EmailHashes);
        Assert.Equal("visitor-1", conversion.CarriedVisitorId);
    }

    [Fact]
    public void A_cancellation_is_not_called_a_reschedule()
    {
        Assert.DoesNotContain("rescheduled", Classify(Booking("invitee.canceled")).Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("rescheduled", Classify(Booking("invitee_no_show.created")).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_calendly_event_is_ignored_and_named_in_the_reason()
    {
        var conversion = Classify(Booking("routing_form_submission.created"));

        Assert.Equal(ConversionDecision.Ignore, conversion.Decision);
        Assert.Equal($"routing_form_submission.created:{Uuid}", conversion.ReceiptId);
        Assert.Contains("routing_form_submission.created", conversion.Reason, StringComparison.Ordinal);
        Assert.Null(conversion.TikTokEvent);
    }

    [Fact]
    public void A_booking_without_an_invitee_is_malformed()
    {
        var conversion = Classify(Booking() with { InviteeUuid = null });

        Assert.Equal(ConversionDecision.Malformed, conversion.Decision);
        Assert.Equal("malformed:calendly", conversion.ReceiptId);
        Assert.Equal("acme", conversion.Mark);
        Assert.Equal(IngestEntry.Sources.Calendly, conversion.Source);
        Assert.Equal("invitee.created", conversion.SourceEvent);
        Assert.Contains("invitee", conversion.Reason, StringComparison.Ordinal);
        Assert.Null(conversion.TikTokEvent);
    }

    public static TheoryData<string, string[], string?, bool> EventTypeFilters() => new()
    {
        { "no filter", [], EventTypeUri, true },
        { "the uri", [EventTypeUri], EventTypeUri, true },
        { "the uri in another case", [EventTypeUri.ToUpperInvariant()], EventTypeUri, true },
        { "the uuid", [EventTypeUuid], EventTypeUri, true },
        { "the uuid in another case", [EventTypeUuid.ToUpperInvariant()], EventTypeUri, true },
        { "the second of two", ["2c3d4e5f-2222-4222-8222-cccccccccccc", EventTypeUuid], EventTypeUri, true },
        { "the first of two", [EventTypeUri, "2c3d4e5f-2222-4222-8222-cccccccccccc"], EventTypeUri, true },
        { "another event type", ["2c3d4e5f-2222-4222-8222-cccccccccccc"], EventTypeUri, false },
        { "other event types only", ["2c3d4e5f-2222-4222-8222-cccccccccccc", "https://api.calendly.com/event_types/3d4e5f6a"], EventTypeUri, false },
        { "a delivery naming no event type", ["2c3d4e5f-2222-4222-8222-cccccccccccc"], null, true },
    };

    /// <summary><c>Calendly:EventTypes</c> (URIs or uuids, any case): a booking of a listed type counts; any other is ignored.</summary>
    [Theory]
    [MemberData(nameof(EventTypeFilters))]
    public void The_event_type_filter_decides_which_bookings_count(string because, string[] eventTypes, string? bookedType, bool counts)
    {
        var funnel = Funnel with { Calendly = new CalendlyFunnelOptions { EventTypes = eventTypes } };

        var conversion = Classify(Booking() with { EventTypeUri = bookedType }, funnel);

        Assert.True(counts == (conversion.Decision == ConversionDecision.Send), because);
        if (!counts)
        {
            Assert.Equal(ConversionDecision.Ignore, conversion.Decision);
            Assert.Equal("event type not in Calendly:EventTypes", conversion.Reason);
            Assert.Equal($"invitee.created:{Uuid}", conversion.ReceiptId);
            Assert.Null(conversion.TikTokEvent);
        }
    }

    [Fact]
    public void The_filter_ignores_cancellations_of_other_event_types_and_records_its_own()
    {
        var funnel = Funnel with { Calendly = new CalendlyFunnelOptions { EventTypes = [EventTypeUuid] } };

        var own = Classify(Booking("invitee.canceled"), funnel);
        var other = Classify(Booking("invitee.canceled") with { EventTypeUri = "https://api.calendly.com/event_types/other" }, funnel);

        Assert.Equal(ConversionDecision.Record, own.Decision);
        Assert.Equal(ConversionDecision.Ignore, other.Decision);
    }

    // --- Stripe

    private static StripePayment Payment(string sourceEvent = "checkout.session.completed") => new()
    {
        SourceEvent = sourceEvent,
        EventId = "evt_1",
        Created = DeliveredAt,
        PaymentId = "pi_1",
        ObjectId = "cs_1",
        Paid = true,
        Amount = 14.90m,
        Currency = "EUR",
        EmailHash = EmailHash,
        PhoneHash = PhoneHash,
        ClientReferenceId = "visitor-3",
    };

    [Theory]
    [InlineData("checkout.session.completed")]
    [InlineData("invoice.paid")]
    public void A_paid_payment_with_an_amount_is_a_purchase_named_after_the_payment(string sourceEvent)
    {
        var conversion = Classify(Payment(sourceEvent));

        Assert.Equal(ConversionDecision.Send, conversion.Decision);
        Assert.Equal("acme", conversion.Mark);
        Assert.Equal(IngestEntry.Sources.Stripe, conversion.Source);
        Assert.Equal(sourceEvent, conversion.SourceEvent);
        Assert.Equal("Purchase", conversion.TikTokEvent);
        Assert.Equal("purchase:stripe:pi_1", conversion.EventId);
        Assert.Equal("purchase:stripe:pi_1", conversion.ReceiptId);
        Assert.Null(conversion.Reason);
        Assert.Equal(DeliveredAt, conversion.EventTime);
        Assert.Equal(14.90m, conversion.Value);
        Assert.Equal("EUR", conversion.Currency);
        Assert.Equal("cs_1", conversion.OrderId);
        Assert.Equal([EmailHash], conversion.EmailHashes);
        Assert.Equal([PhoneHash], conversion.PhoneHashes);
        Assert.Equal("visitor-3", conversion.CarriedVisitorId);
        Assert.Equal("client_reference_id", conversion.CarrierName);
        Assert.False(conversion.WaitsForLateJoin);
    }

    [Fact]
    public void A_payment_without_a_payment_intent_is_named_after_its_event()
    {
        var conversion = Classify(Payment() with { PaymentId = null, EmailHash = null, PhoneHash = null });

        Assert.Equal("purchase:stripe:evt_1", conversion.EventId);
        Assert.Equal("purchase:stripe:evt_1", conversion.ReceiptId);
        Assert.Empty(conversion.EmailHashes);
        Assert.Empty(conversion.PhoneHashes);
    }

    [Fact]
    public void A_payment_with_no_id_at_all_is_malformed()
    {
        var conversion = Classify(Payment() with { PaymentId = null, EventId = null });

        Assert.Equal(ConversionDecision.Malformed, conversion.Decision);
        Assert.Equal("malformed:stripe", conversion.ReceiptId);
        Assert.Equal(IngestEntry.Sources.Stripe, conversion.Source);
        Assert.Equal("checkout.session.completed", conversion.SourceEvent);
        Assert.Contains("no id", conversion.Reason, StringComparison.Ordinal);
        Assert.Null(conversion.TikTokEvent);
    }

    public static TheoryData<string, StripePayment, string, string> RecordedPayments() => new()
    {
        { "subscription checkout", Payment() with { IsSubscriptionCheckout = true }, "checkout.session.completed:pi_1", "subscription" },
        { "free subscription checkout", Payment() with { IsSubscriptionCheckout = true, Amount = 0m }, "checkout.session.completed:pi_1", "subscription" },
        { "checkout of nothing", Payment() with { Amount = 0m }, "checkout.session.completed:pi_1", "nothing was paid" },
        { "invoice of nothing", Payment("invoice.paid") with { Amount = 0m }, "invoice.paid:pi_1", "nothing was paid" },
        { "unpaid checkout of nothing", Payment() with { Paid = false, Amount = 0m }, "checkout.session.completed:pi_1", "nothing was paid" },
        { "paid checkout without amount", Payment() with { Amount = null }, "checkout.session.completed:pi_1", "no amount" },
        { "paid invoice without amount", Payment("invoice.paid") with { Amount = null }, "invoice.paid:pi_1", "no amount" },
        { "unpaid checkout", Payment() with { Paid = false }, "checkout.session.completed:pi_1", "not paid" },
        { "unpaid checkout without amount", Payment() with { Paid = false, Amount = null }, "checkout.session.completed:pi_1", "not paid" },
        { "refund", Payment("charge.refunded") with { Paid = false, ObjectId = "ch_1" }, "charge.refunded:pi_1", "refund" },
    };

    /// <summary>Only a paid payment of a non-zero amount is a purchase; the rest is kept in a receipt saying why.</summary>
    [Theory]
    [MemberData(nameof(RecordedPayments))]
    public void Payments_that_are_no_purchase_are_recorded_with_the_reason(string because, StripePayment payment, string receiptId, string reasonNames)
    {
        var conversion = Classify(payment);

        Assert.True(ConversionDecision.Record == conversion.Decision, because);
        Assert.Equal(receiptId, conversion.ReceiptId);
        Assert.Contains(reasonNames, conversion.Reason, StringComparison.Ordinal);
        Assert.Null(conversion.TikTokEvent);
        Assert.Null(conversion.EventId);
        Assert.Equal(payment.Amount, conversion.Value);
        Assert.Equal(payment.ObjectId, conversion.OrderId);
        Assert.Equal("visitor-3", conversion.CarriedVisitorId);
    }

    [Fact]
    public void The_reasons_of_recorded_payments_say_different_things()
    {
        var reasons = RecordedPayments().Select(row => Classify((StripePayment)row[1]).Reason).Distinct(StringComparer.Ordinal).Count();

        Assert.Equal(5, reasons);
    }

    [Theory]
    [InlineData("payment_intent.succeeded")]
    [InlineData("customer.created")]
    public void Another_stripe_event_is_ignored_and_named_in_the_reason(string sourceEvent)
    {
        var conversion = Classify(Payment(sourceEvent));

        Assert.Equal(ConversionDecision.Ignore, conversion.Decision);
        Assert.Equal($"{sourceEvent}:pi_1", conversion.ReceiptId);
        Assert.Contains(sourceEvent, conversion.Reason, StringComparison.Ordinal);
        Assert.Null(conversion.TikTokEvent);
    }

    // --- conversions API

    [Fact]
    public void A_conversions_api_item_is_sent_as_given()
    {
        var at = new DateTimeOffset(2026, 3, 5, 10, 0, 0, TimeSpan.Zero);
        var item = new ApiConversion
        {
            Event = "CompleteRegistration",
            EventId = "reg-42",
            EventTime = at,
            Value = 9.5m,
            Currency = "GBP",
            ContentId = "course-1",
            ContentName = "Course one",
            OrderId = "order-9",
            PageUrl = "https://book.example.com/thanks",
            EmailHash = EmailHash,
            PhoneHash = PhoneHash,
            ExternalIdHash = ExternalIdHash,
            VisitorId = "visitor-4",
        };

        var conversion = Classify(item, type: "Lead");

        Assert.Equal(ConversionDecision.Send, conversion.Decision);
        Assert.Equal("acme", conversion.Mark);
        Assert.Equal(IngestEntry.Sources.ConversionsApi, conversion.Source);
        Assert.Equal("CompleteRegistration", conversion.SourceEvent);
        Assert.Equal("CompleteRegistration", conversion.TikTokEvent);
        Assert.Equal("reg-42", conversion.EventId);
        Assert.Equal("reg-42", conversion.ReceiptId);
        Assert.Null(conversion.Reason);
        Assert.Equal(at, conversion.EventTime);
        Assert.Equal(9.5m, conversion.Value);
        Assert.Equal("GBP", conversion.Currency);
        Assert.Equal("course-1", conversion.ContentId);
        Assert.Equal("Course one", conversion.ContentName);
        Assert.Equal("order-9", conversion.OrderId);
        Assert.Equal("https://book.example.com/thanks", conversion.PageUrl);
        Assert.Equal([EmailHash], conversion.EmailHashes);
        Assert.Equal([PhoneHash], conversion.PhoneHashes);
        Assert.Equal([ExternalIdHash], conversion.ExternalIdHashes);
        Assert.Equal("visitor-4", conversion.CarriedVisitorId);
        Assert.Equal("visitor_id", conversion.CarrierName);
        Assert.False(conversion.WaitsForLateJoin);
    }

    [Fact]
    public void A_conversions_api_item_without_an_event_takes_the_entrys_type()
    {
        var conversion = Classify(new ApiConversion { EventId = "lead-1" }, type: "Lead");

        Assert.Equal(ConversionDecision.Send, conversion.Decision);
        Assert.Equal("Lead", conversion.TikTokEvent);
        Assert.Equal("Lead", conversion.SourceEvent);
        Assert.Empty(conversion.EmailHashes);
        Assert.Empty(conversion.ExternalIdHashes);
    }

    public static TheoryData<string, ApiConversion, string> IncompleteItems() => new()
    {
        { "no event and no type", new ApiConversion { EventId = "lead-1" }, "" },
        { "no event_id", new ApiConversion { Event = "Lead" }, "Lead" },
        { "neither", new ApiConversion(), "Lead" },
    };

    [Theory]
    [MemberData(nameof(IncompleteItems))]
    public void A_conversions_api_item_needs_an_event_and_an_event_id(string because, ApiConversion item, string type)
    {
        var conversion = Classify(item, type);

        Assert.True(ConversionDecision.Malformed == conversion.Decision, because);
        Assert.Equal("malformed:api", conversion.ReceiptId);
        Assert.Equal(IngestEntry.Sources.ConversionsApi, conversion.Source);
        Assert.Equal(type, conversion.SourceEvent);
        Assert.Contains("event_id", conversion.Reason, StringComparison.Ordinal);
        Assert.Null(conversion.TikTokEvent);
    }

    // --- entries that hold no delivery

    [Fact]
    public void Facts_that_could_not_be_read_are_malformed_with_their_reason()
    {
        var conversion = ConversionClassifier.Classify(IngestEntry.Sources.Stripe, "invoice.paid", new IngestFacts { Malformed = "not JSON" }, Funnel);
        var empty = ConversionClassifier.Classify(IngestEntry.Sources.Calendly, "invitee.created", new IngestFacts(), Funnel);

        Assert.Equal(ConversionDecision.Malformed, conversion.Decision);
        Assert.Equal("not JSON", conversion.Reason);
        Assert.Equal("malformed:stripe", conversion.ReceiptId);
        Assert.Equal("invoice.paid", conversion.SourceEvent);
        Assert.Equal("acme", conversion.Mark);
        Assert.Equal(ConversionDecision.Malformed, empty.Decision);
        Assert.Contains("no delivery", empty.Reason, StringComparison.Ordinal);
        Assert.Equal("malformed:calendly", empty.ReceiptId);
    }

    [Fact]
    public void Null_facts_or_funnel_are_refused()
    {
        Assert.Throws<ArgumentNullException>(() => ConversionClassifier.Classify(IngestEntry.Sources.Calendly, "", (IngestFacts)null!, Funnel));
        Assert.Throws<ArgumentNullException>(() => ConversionClassifier.Classify(IngestEntry.Sources.Calendly, "", new IngestFacts { Calendly = Booking() }, null!));
        Assert.Throws<ArgumentNullException>(() => ConversionClassifier.Classify(IngestEntry.Sources.Calendly, "", "{}"u8.ToArray(), null!));
    }

    [Fact]
    public void A_raw_body_is_classified_as_its_parsed_facts()
    {
        var funnel = Funnel with { DefaultPhoneRegion = "DE" };
        var body = System.Text.Encoding.UTF8.GetBytes(Fixtures.Read("calendly/invitee-created-free.json", "visitor-5")
            .Replace("\"+49 151 12345678\"", "\"0151 12345678\"", StringComparison.Ordinal));

        var fromBody = ConversionClassifier.Classify(IngestEntry.Sources.Calendly, "invitee.created", body, funnel);
        var fromFacts = ConversionClassifier.Classify(IngestEntry.Sources.Calendly, "invitee.created", IngestFacts.Parse(IngestEntry.Sources.Calendly, body, "DE"), funnel);

        Assert.Equal([PhoneHash], fromBody.PhoneHashes);
        Assert.Equal([EmailHash], fromBody.EmailHashes);
        Assert.Equal("visitor-5", fromBody.CarriedVisitorId);
        Assert.Equal(fromFacts.ReceiptId, fromBody.ReceiptId);
        Assert.Equal(fromFacts.PhoneHashes, fromBody.PhoneHashes);
    }
}
