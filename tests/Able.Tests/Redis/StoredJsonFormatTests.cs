using System.Text.Json.Nodes;
using Able.Attribution.Calendly;
using Able.Attribution.Conversions;
using Able.Attribution.Delivery;
using Able.Attribution.Ingest;
using Able.Attribution.Receipts;
using Able.Attribution.Stripe;
using Able.Schema.Visitors;

namespace Able.Tests.Redis;

/// <summary>
/// What is stored in Redis outlives one version of the code: a delivery job (with its conversion and receipt), a
/// visitor touch and an ingest entry's facts written by the running version must read back after an upgrade, and the
/// admin API shows receipts as stored. Renaming a C# property must never rename a stored field; these pin every field name.
/// </summary>
public sealed class StoredJsonFormatTests
{
    [Fact]
    public void A_delivery_job_keeps_its_stored_field_names()
    {
        var conversion = new Conversion
        {
            Mark = "acme", Source = "calendly", SourceEvent = "invitee.created", Decision = ConversionDecision.Send, Reason = "r",
            ReceiptId = "rid", TikTokEvent = "Schedule", EventId = "eid", EventTime = DateTimeOffset.UnixEpoch, Value = 1m, Currency = "USD",
            ContentId = "c", ContentName = "n", OrderId = "o", PageUrl = "https://x/", EmailHashes = ["e"], PhoneHashes = ["p"],
            ExternalIdHashes = ["x"], CarriedVisitorId = "v", CarrierName = "utm_term", InviteeUuid = "i", WaitsForLateJoin = true,
        };
        var receipt = new MatchReceipt
        {
            Id = "rid", Mark = "acme", Source = "calendly", SourceEvent = "invitee.created", EntryId = "1-0", Status = ReceiptStatus.Sent,
            Reason = "r", TikTokEvent = "Schedule", EventId = "eid", EventTime = 1, VisitorId = "v", JoinPath = "carrier", NoJoinReason = "n",
            KeysAvailable = ["ttclid"], KeysSent = ["ttclid"], ClickAgeSeconds = 1, Payload = new JsonObject { ["a"] = 1 }, Attempts = 1,
            TikTokCode = 0, TikTokMessage = "OK", TikTokRequestId = "req", UpdatedAt = 1,
        };
        var job = new DeliveryJob { Id = "p:Schedule:eid", Conversion = conversion, Receipt = receipt, Attempts = 2, FirstAttemptAt = 3 };

        var stored = JsonNode.Parse(job.ToJson())!.AsObject();

        Assert.Equal("attempts conversion first_attempt_at id receipt", Names(stored));
        Assert.Equal(
            "carried_visitor_id carrier_name content_id content_name currency decision email_hashes event event_id event_time "
            + "external_id_hashes funnel invitee_uuid order_id page_url phone_hashes reason receipt_id source source_type value "
            + "waits_for_late_join",
            Names(stored["conversion"]!.AsObject()));
        Assert.Equal(
            "attempts click_age_seconds entry_id event event_id event_time funnel id join_path keys_available keys_sent "
            + "no_join_reason payload reason source source_type status tik_tok_code tik_tok_message tik_tok_request_id updated_at visitor_id",
            Names(stored["receipt"]!.AsObject()));
        Assert.True(DeliveryJob.TryFromJson(job.ToJson(), out var read, out var problem), problem);
        Assert.Equal(job.ToJson(), read!.ToJson());
    }

    [Fact]
    public void A_visitor_touch_keeps_its_stored_field_names()
    {
        var touch = new VisitorTouch
        {
            Kind = "link", At = 1, Url = "https://x/", Referrer = "https://r/", Ip = "1.2.3.4", UserAgent = "ua",
            AcceptLanguage = "de", Ttclid = "t", Ttp = "p", GaClientId = "1.2", Utm = new() { ["utm_source"] = "tiktok" },
            ClickIds = new() { ["gclid"] = "g" },
        };

        Assert.Equal(
            "accept_language at click_ids ga_client_id ip kind referrer ttclid ttp url user_agent utm",
            Names(JsonNode.Parse(touch.ToJson())!.AsObject()));
        Assert.Equal(touch.ToJson(), VisitorTouch.FromJson(touch.ToJson())!.ToJson());
    }

    [Fact]
    public void A_touch_stored_by_the_version_before_one_script_captures_still_reads()
    {
        // That version kept the funnel and the visitor's own values in every touch, and escaped '&' as \u0026.
        const string stored = """
            {"kind":"pageview","funnel":"acme","at":1764657600000,"url":"https://book.acme.test/?ttclid=E.C.P.1\u0026utm_source=tiktok",
             "referrer":"https://www.tiktok.com/","ip":"203.0.113.7","user_agent":"Mozilla/5.0","ttclid":"E.C.P.1","utm":{"utm_source":"tiktok"}}
            """;

        var touch = VisitorTouch.FromJson(stored)!;

        Assert.Equal("https://book.acme.test/?ttclid=E.C.P.1&utm_source=tiktok", touch.Url);
        Assert.Equal("E.C.P.1", touch.Ttclid);
        Assert.Equal("tiktok", touch.Utm!["utm_source"]);
        Assert.Equal("203.0.113.7", touch.Ip);
        Assert.Equal(1764657600000, touch.At);
    }

    [Fact]
    public void Ingest_facts_keep_their_stored_field_names()
    {
        var booking = new IngestFacts
        {
            Calendly = new CalendlyBooking
            {
                SourceEvent = "invitee.created", CreatedAt = DateTimeOffset.UnixEpoch, InviteeUuid = "u", InviteeCreatedAt = DateTimeOffset.UnixEpoch,
                EmailHash = "e", PhoneHash = "p", Tracking = new Dictionary<string, string> { ["salesforce_uuid"] = "v" }, Rescheduled = true,
                OldInvitee = "o", NewInvitee = "n", Payment = new CalendlyPayment("ch_1", 1m, "USD", true), EventTypeUri = "https://x/t", EventName = "Call",
            },
        };
        var payment = new IngestFacts
        {
            Stripe = new StripePayment
            {
                SourceEvent = "invoice.paid", EventId = "evt", Created = DateTimeOffset.UnixEpoch, PaymentId = "pi", ObjectId = "in", Paid = true,
                Amount = 1m, Currency = "USD", EmailHash = "e", PhoneHash = "p", IsSubscriptionCheckout = true, ClientReferenceId = "v",
            },
        };
        var item = new IngestFacts
        {
            Api = new ApiConversion
            {
                Event = "Lead", EventId = "l", EventTime = DateTimeOffset.UnixEpoch, Value = 1m, Currency = "EUR", ContentId = "c", ContentName = "n",
                OrderId = "o", PageUrl = "https://x/", EmailHash = "e", PhoneHash = "p", ExternalIdHash = "x", VisitorId = "v",
            },
        };
        var malformed = new IngestFacts { Malformed = "why" };

        var stored = JsonNode.Parse(booking.ToUtf8Json())!.AsObject();

        Assert.Equal("calendly v", Names(stored));
        Assert.Equal(1, (int)stored["v"]!);
        Assert.Equal(
            "created_at email_hash event_name event_type_uri invitee_created_at invitee_uuid new_invitee old_invitee payment phone_hash "
            + "rescheduled source_type tracking",
            Names(stored["calendly"]!.AsObject()));
        Assert.Equal("amount currency external_id successful", Names(stored["calendly"]!["payment"]!.AsObject()));
        Assert.Equal(
            "amount client_reference_id created currency email_hash event_id is_subscription_checkout object_id paid payment_id phone_hash source_type",
            Names(JsonNode.Parse(payment.ToUtf8Json())!["stripe"]!.AsObject()));
        Assert.Equal(
            "content_id content_name currency email_hash event event_id event_time external_id_hash order_id phone_hash url value visitor_id",
            Names(JsonNode.Parse(item.ToUtf8Json())!["api"]!.AsObject()));
        Assert.Equal("malformed v", Names(JsonNode.Parse(malformed.ToUtf8Json())!.AsObject()));
        foreach (var facts in new[] { booking, payment, item, malformed })
        {
            Assert.True(IngestFacts.TryRead(facts.ToUtf8Json(), out var read, out var problem), problem);
            Assert.Equal(facts.ToUtf8Json(), read.ToUtf8Json());
        }
    }

    private static string Names(JsonObject json) => string.Join(' ', json.Select(p => p.Key).Order(StringComparer.Ordinal));
}
