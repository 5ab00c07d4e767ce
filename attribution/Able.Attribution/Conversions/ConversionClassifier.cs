using Able.Attribution.Calendly;
using Able.Attribution.Ingest;
using Able.Attribution.Stripe;
using Able.Schema.Configuration;

namespace Able.Attribution.Conversions;

/// <summary>
/// Turns one ingest entry into a <see cref="Conversion"/> (README, "Event mapping"): which TikTok event, with
/// which deterministic event_id, time, value and hashed contact keys, or why nothing is sent. It decides from the
/// entry's <see cref="IngestFacts"/> (the ingress parsed the delivery and hashed its contact data); an entry that still
/// holds a raw body is parsed into facts first.
/// </summary>
public static class ConversionClassifier
{
    public const string ScheduleEvent = "Schedule";
    public const string PurchaseEvent = "Purchase";

    /// <summary>Classifies a raw body (an entry written before facts were stored): parsed as the ingress parses it, then decided.</summary>
    public static Conversion Classify(string source, string type, ReadOnlyMemory<byte> body, FunnelOptions funnel)
    {
        ArgumentNullException.ThrowIfNull(funnel);
        return Classify(source, type, IngestFacts.Parse(source, body, funnel.DefaultPhoneRegion), funnel);
    }

    /// <summary>Decides what the facts of one entry of <paramref name="source"/> (event type <paramref name="type"/>) become.</summary>
    public static Conversion Classify(string source, string type, IngestFacts facts, FunnelOptions funnel)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(funnel);
        return facts switch
        {
            { Calendly: { } booking } => FromCalendly(booking, funnel),
            { Stripe: { } payment } => FromStripe(payment, funnel),
            { Api: { } item } => FromConversionsApi(type, item, funnel),
            _ => Malformed(funnel, source, type, facts.Malformed ?? "the entry holds no delivery"),
        };
    }

    private static Conversion FromCalendly(CalendlyBooking delivery, FunnelOptions funnel)
    {
        var uuid = delivery.InviteeUuid;
        if (uuid is null)
        {
            return Malformed(funnel, IngestEntry.Sources.Calendly, delivery.SourceEvent, "the invitee URI is missing");
        }

        var baseline = CalendlyBaseline(delivery, uuid, funnel);
        return CountsForFunnel(delivery, funnel)
            ? DecideCalendly(delivery, uuid, funnel, baseline)
            : baseline with { Decision = ConversionDecision.Ignore, Reason = "event type not in Calendly:EventTypes" };
    }

    /// <summary>What every Calendly delivery records, sent or not: its receipt id, time, contact hashes, carried visitor and event type.</summary>
    private static Conversion CalendlyBaseline(CalendlyBooking delivery, string uuid, FunnelOptions funnel) => new()
    {
        Mark = funnel.Mark,
        Source = IngestEntry.Sources.Calendly,
        SourceEvent = delivery.SourceEvent,
        Decision = ConversionDecision.Record,
        ReceiptId = $"{delivery.SourceEvent}:{uuid}",
        EventTime = delivery.InviteeCreatedAt ?? delivery.CreatedAt,
        EmailHashes = Hashes(delivery.EmailHash),
        PhoneHashes = Hashes(delivery.PhoneHash),
        CarriedVisitorId = delivery.Tracking.GetValueOrDefault(funnel.Calendly.CarrierParam),
        CarrierName = funnel.Calendly.CarrierParam,
        InviteeUuid = uuid,
        ContentId = delivery.EventTypeUuid,
        ContentName = delivery.EventName,
    };

    /// <summary>
    /// A new booking is sent (Purchase when an amount above 0 was paid, else Schedule); a reschedule, cancellation or no-show is
    /// recorded only; anything else is ignored.
    /// </summary>
    private static Conversion DecideCalendly(CalendlyBooking delivery, string uuid, FunnelOptions funnel, Conversion baseline)
    {
        switch (delivery.SourceEvent)
        {
            case "invitee.created" when delivery.OldInvitee is not null:
                return baseline with { Reason = "rescheduled (old_invitee set): not a new conversion" };
            // Nothing paid (a 100 % coupon, an amount of 0 or none): a booking like a free one, not a Purchase of 0.
            case "invitee.created" when delivery.Payment is { Successful: true, Amount: > 0 } payment:
                return baseline with
                {
                    Decision = ConversionDecision.Send,
                    ReceiptId = $"purchase:{uuid}",
                    TikTokEvent = PurchaseEvent,
                    EventId = $"purchase:{uuid}",
                    Value = payment.Amount,
                    Currency = payment.Currency,
                    OrderId = payment.ExternalId,
                    WaitsForLateJoin = true,
                };
            case "invitee.created":
                return baseline with
                {
                    Decision = ConversionDecision.Send,
                    ReceiptId = $"schedule:{uuid}",
                    TikTokEvent = ScheduleEvent,
                    EventId = $"schedule:{uuid}",
                    Value = funnel.Calendly.DefaultBookingValue,
                    Currency = funnel.Calendly.DefaultBookingValue is null ? null : funnel.Calendly.DefaultBookingCurrency,
                    WaitsForLateJoin = true,
                };
            case "invitee.canceled" when delivery.Rescheduled:
                return baseline with { ReceiptId = $"reschedule:{uuid}", Reason = "rescheduled (cancel half of a reschedule): not a cancellation" };
            case "invitee.canceled":
                return baseline with { Reason = "canceled: recorded, not sent" };
            case "invitee_no_show.created":
                return baseline with { Reason = "no-show: recorded, not sent" };
            default:
                return baseline with { Decision = ConversionDecision.Ignore, Reason = $"Calendly event {delivery.SourceEvent} is not a conversion" };
        }
    }

    private static bool CountsForFunnel(CalendlyBooking delivery, FunnelOptions funnel)
    {
        var filter = funnel.Calendly.EventTypes;
        if (filter.Length == 0 || delivery.EventTypeUri is null)
        {
            // No filter, or a delivery (no-show) that does not name its event type.
            return true;
        }

        return filter.Any(t => string.Equals(t, delivery.EventTypeUri, StringComparison.OrdinalIgnoreCase)
            || string.Equals(t, delivery.EventTypeUuid, StringComparison.OrdinalIgnoreCase));
    }

    private static Conversion FromStripe(StripePayment payment, FunnelOptions funnel)
    {
        var id = payment.PaymentId ?? payment.EventId;
        if (id is null)
        {
            return Malformed(funnel, IngestEntry.Sources.Stripe, payment.SourceEvent, "the payment has no id");
        }

        var baseline = new Conversion
        {
            Mark = funnel.Mark,
            Source = IngestEntry.Sources.Stripe,
            SourceEvent = payment.SourceEvent,
            Decision = ConversionDecision.Record,
            ReceiptId = $"{payment.SourceEvent}:{id}",
            EventTime = payment.Created,
            EmailHashes = Hashes(payment.EmailHash),
            PhoneHashes = Hashes(payment.PhoneHash),
            CarriedVisitorId = payment.ClientReferenceId,
            CarrierName = "client_reference_id",
            Value = payment.Amount,
            Currency = payment.Currency,
            OrderId = payment.ObjectId,
        };

        return payment.SourceEvent switch
        {
            "checkout.session.completed" when payment.IsSubscriptionCheckout =>
                baseline with { Reason = "subscription checkout: its first invoice.paid is the purchase sent; recorded, not sent" },
            "checkout.session.completed" or "invoice.paid" when payment.Amount is 0 =>
                baseline with { Reason = "nothing was paid (amount 0, e.g. a trial): recorded, not sent" },
            "checkout.session.completed" or "invoice.paid" when payment.Paid && payment.Amount is not null => baseline with
            {
                Decision = ConversionDecision.Send,
                ReceiptId = $"purchase:stripe:{id}",
                TikTokEvent = PurchaseEvent,
                EventId = $"purchase:stripe:{id}",
            },
            "checkout.session.completed" or "invoice.paid" when payment.Paid =>
                baseline with { Reason = "paid, but no amount with a currency: recorded, not sent" },
            "checkout.session.completed" => baseline with { Reason = "checkout not paid: recorded, not sent" },
            "charge.refunded" => baseline with { Reason = "refund: recorded, not sent" },
            _ => baseline with { Decision = ConversionDecision.Ignore, Reason = $"Stripe event {payment.SourceEvent} is not a conversion" },
        };
    }

    /// <summary>
    /// One conversions-API item (validated by the ingress): <c>event</c> (else the entry's type) and <c>event_id</c>
    /// required; the rest optional.
    /// </summary>
    private static Conversion FromConversionsApi(string type, ApiConversion item, FunnelOptions funnel)
    {
        var eventName = item.Event ?? (string.IsNullOrEmpty(type) ? null : type);
        var eventId = item.EventId;
        if (eventName is null || eventId is null)
        {
            return Malformed(funnel, IngestEntry.Sources.ConversionsApi, type, "a conversion needs event and event_id");
        }

        return new Conversion
        {
            Mark = funnel.Mark,
            Source = IngestEntry.Sources.ConversionsApi,
            SourceEvent = eventName,
            Decision = ConversionDecision.Send,
            ReceiptId = eventId,
            TikTokEvent = eventName,
            EventId = eventId,
            EventTime = item.EventTime,
            Value = item.Value,
            Currency = item.Currency,
            ContentId = item.ContentId,
            ContentName = item.ContentName,
            OrderId = item.OrderId,
            PageUrl = item.PageUrl,
            EmailHashes = Hashes(item.EmailHash),
            PhoneHashes = Hashes(item.PhoneHash),
            ExternalIdHashes = Hashes(item.ExternalIdHash),
            CarriedVisitorId = item.VisitorId,
            CarrierName = "visitor_id",
        };
    }

    private static Conversion Malformed(FunnelOptions funnel, string source, string type, string reason) => new()
    {
        Mark = funnel.Mark,
        Source = source,
        SourceEvent = type,
        Decision = ConversionDecision.Malformed,
        Reason = reason,
        ReceiptId = $"malformed:{source}",
    };

    private static string[] Hashes(string? hash) => hash is null ? [] : [hash];
}
