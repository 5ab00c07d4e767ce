using System.Text.Json;
using Able.Attribution.Calendly;
using Able.Attribution.Identity;
using Able.Attribution.Ingest;
using Able.Attribution.Stripe;
using Able.Schema.Configuration;
using Able.Schema.Identity;

namespace Able.Attribution.Conversions;

/// <summary>
/// Turns one ingest entry into a <see cref="Conversion"/> (README, "Event mapping"): which TikTok event, with
/// which deterministic event_id, time, value and hashed contact keys, or why nothing is sent.
/// </summary>
public static class ConversionClassifier
{
    public const string ScheduleEvent = "Schedule";
    public const string PurchaseEvent = "Purchase";

    public static Conversion Classify(string source, string type, ReadOnlyMemory<byte> body, FunnelOptions funnel)
    {
        ArgumentNullException.ThrowIfNull(funnel);
        return source switch
        {
            IngestEntry.Sources.Calendly => FromCalendly(type, body, funnel),
            IngestEntry.Sources.Stripe => FromStripe(type, body, funnel),
            IngestEntry.Sources.ConversionsApi => FromConversionsApi(type, body, funnel),
            _ => Malformed(funnel, source, type, $"unknown source '{source}'"),
        };
    }

    private static Conversion FromCalendly(string type, ReadOnlyMemory<byte> body, FunnelOptions funnel)
    {
        var delivery = CalendlyBooking.Parse(body, out var error);
        if (delivery is null)
        {
            return Malformed(funnel, IngestEntry.Sources.Calendly, type, error!);
        }

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
        EmailHashes = Hashes(ContactHashing.HashEmail(delivery.Email)),
        PhoneHashes = Hashes(PhoneHashing.HashPhone(delivery.Phone, funnel.DefaultPhoneRegion)),
        CarriedVisitorId = delivery.Tracking.GetValueOrDefault(funnel.Calendly.CarrierParam),
        CarrierName = funnel.Calendly.CarrierParam,
        InviteeUuid = uuid,
        ContentId = delivery.EventTypeUuid,
        ContentName = delivery.EventName,
    };

    /// <summary>
    /// A new booking is sent (Purchase when paid, else Schedule); a reschedule, cancellation or no-show is
    /// recorded only; anything else is ignored.
    /// </summary>
    private static Conversion DecideCalendly(CalendlyBooking delivery, string uuid, FunnelOptions funnel, Conversion baseline)
    {
        switch (delivery.SourceEvent)
        {
            case "invitee.created" when delivery.OldInvitee is not null:
                return baseline with { Reason = "rescheduled (old_invitee set): not a new conversion" };
            case "invitee.created" when delivery.Payment is { Successful: true } payment:
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

    private static Conversion FromStripe(string type, ReadOnlyMemory<byte> body, FunnelOptions funnel)
    {
        var payment = StripePayment.Parse(body, out var error);
        if (payment is null)
        {
            return Malformed(funnel, IngestEntry.Sources.Stripe, type, error!);
        }

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
            EmailHashes = Hashes(ContactHashing.HashEmail(payment.Email)),
            PhoneHashes = Hashes(PhoneHashing.HashPhone(payment.Phone, funnel.DefaultPhoneRegion)),
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
    /// One conversions-API item (validated by the ingress): <c>event</c> and <c>event_id</c> required;
    /// <c>event_time</c> (Unix seconds), <c>visitor_id</c>, <c>email</c>, <c>phone</c>, <c>external_id</c>,
    /// <c>value</c>, <c>currency</c>, and leniently <c>url</c>, <c>content_id</c>, <c>content_name</c>, <c>order_id</c>.
    /// </summary>
    private static Conversion FromConversionsApi(string type, ReadOnlyMemory<byte> body, FunnelOptions funnel)
    {
        using var document = LenientJson.Parse(body, out var error);
        if (document is null)
        {
            return Malformed(funnel, IngestEntry.Sources.ConversionsApi, type, error!);
        }

        JsonElement? item = document.RootElement;
        var eventName = item.String("event") ?? (string.IsNullOrEmpty(type) ? null : type);
        var eventId = item.String("event_id");
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
            EventTime = item.Time("event_time"),
            Value = item.Decimal("value"),
            Currency = item.String("currency")?.ToUpperInvariant(),
            ContentId = item.String("content_id"),
            ContentName = item.String("content_name"),
            OrderId = item.String("order_id"),
            PageUrl = item.String("url"),
            EmailHashes = Hashes(ContactHashing.HashEmail(item.String("email"))),
            PhoneHashes = Hashes(PhoneHashing.HashPhone(item.String("phone"), funnel.DefaultPhoneRegion)),
            ExternalIdHashes = Hashes(ContactHashing.HashExternalId(item.String("external_id"))),
            CarriedVisitorId = item.String("visitor_id"),
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
