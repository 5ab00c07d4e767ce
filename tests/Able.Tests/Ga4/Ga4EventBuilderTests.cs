using System.Text.Json.Nodes;
using Able.Attribution.Conversions;
using Able.Attribution.Ga4;
using Able.Schema.Configuration;
using Able.Schema.Visitors;

namespace Able.Tests.Ga4;

/// <summary>
/// <see cref="Ga4EventBuilder"/>: which GA4 event a conversion becomes, what it carries (client id, session, transaction id,
/// value with currency, user id only when configured, a timestamp never in the future), and when nothing is sent.
/// </summary>
public sealed partial class Ga4EventBuilderTests
{
    internal static readonly DateTimeOffset Now = new(2026, 3, 4, 12, 0, 0, TimeSpan.Zero);

    internal static readonly TimeSpan MaxAge = TimeSpan.FromHours(72);

    private const string ClientId = "555.1700000000";

    private const string SessionId = "1772625000";

    [Fact]
    public void A_booking_is_a_generate_lead_without_a_transaction_id()
    {
        var built = Build(Booking());

        Assert.Equal("generate_lead", built.EventName);
        var body = Assert.IsType<JsonObject>(built.Body);
        Assert.Equal(ClientId, (string?)body["client_id"]);
        var sent = Event(body);
        Assert.Equal("generate_lead", (string?)sent["name"]);
        Assert.Null(sent["params"]!["transaction_id"]);
        Assert.Null(sent["params"]!["items"]);
        Assert.Null(built.SkipStatus);
        Assert.Empty(Ga4Limits.Problems(body));
    }

    [Fact]
    public void A_purchase_is_a_purchase_whose_transaction_id_is_the_TikTok_event_id()
    {
        var built = Build(Sale(eventId: "stripe:pi_3PZ"));

        var sent = Event(built.Body!);
        Assert.Equal("purchase", (string?)sent["name"]);
        Assert.Equal("stripe:pi_3PZ", (string?)sent["params"]!["transaction_id"]);
        Assert.Equal(49.5m, (decimal)sent["params"]!["value"]!);
        Assert.Equal("EUR", (string?)sent["params"]!["currency"]);
        var item = Assert.IsType<JsonObject>(Assert.Single(sent["params"]!["items"]!.AsArray()));
        Assert.Equal("Intro call", (string?)item["item_name"]);
        Assert.Contains("transaction_id", built.KeysSent);
    }

    [Fact]
    public void An_event_id_longer_than_a_parameter_value_may_be_becomes_its_SHA256()
    {
        var longId = "stripe:" + new string('x', 200);

        var built = Build(Sale(eventId: longId));

        var transactionId = (string?)Event(built.Body!)["params"]!["transaction_id"];
        Assert.Matches(Sha256(), transactionId);
        Assert.Equal(Ga4EventBuilder.TransactionId(longId), transactionId);
        Assert.Equal("stripe:" + new string('x', 93), Ga4EventBuilder.TransactionId("stripe:" + new string('x', 93)));
        Assert.Empty(Ga4Limits.Problems(built.Body!));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("EURO")]
    public void A_value_without_a_currency_sends_neither(string? currency)
    {
        var built = Build(Sale() with { Currency = currency });

        var parameters = Event(built.Body!)["params"]!.AsObject();
        Assert.False(parameters.ContainsKey("value"));
        Assert.False(parameters.ContainsKey("currency"));
        Assert.DoesNotContain("value", built.KeysSent);
        Assert.DoesNotContain("currency", built.KeysSent);
    }

    [Fact]
    public void A_lower_case_currency_is_sent_upper_case_and_a_currency_without_a_value_is_not_sent()
    {
        Assert.Equal("USD", (string?)Event(Build(Sale() with { Currency = "usd" }).Body!)["params"]!["currency"]);
        var noValue = Event(Build(Sale() with { Value = null }).Body!)["params"]!.AsObject();
        Assert.False(noValue.ContainsKey("currency"));
    }

    [Fact]
    public void A_session_id_sends_session_id_and_engagement_time_and_none_sends_neither()
    {
        var withSession = Event(Build(Booking()).Body!)["params"]!.AsObject();
        Assert.Equal(SessionId, (string?)withSession["session_id"]);
        Assert.Equal(1, (int)withSession["engagement_time_msec"]!);

        var without = Event(Build(Booking(), Visitor(sessionId: null)).Body!)["params"]!.AsObject();
        Assert.False(without.ContainsKey("session_id"));
        Assert.False(without.ContainsKey("engagement_time_msec"));

        var notASession = Event(Build(Booking(), Visitor(sessionId: "GS1.1.17")).Body!)["params"]!.AsObject();
        Assert.False(notASession.ContainsKey("session_id"));
    }

    [Fact]
    public void The_visitor_id_is_sent_as_user_id_only_with_SendUserId()
    {
        var off = Build(Booking());
        Assert.Null(off.Body!["user_id"]);
        Assert.DoesNotContain("user_id", off.KeysSent);

        var on = Build(Booking(), sendUserId: true);
        Assert.Equal("visitor-1", (string?)on.Body!["user_id"]);
        Assert.Contains("user_id", on.KeysSent);

        // Longer than GA4 takes: left out rather than sent and dropped.
        var tooLong = Build(Booking(), Visitor() with { VisitorId = new string('v', Ga4Limits.MaxUserIdLength + 1) }, sendUserId: true);
        Assert.Null(tooLong.Body!["user_id"]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("GA1.2.555.1700000000")]
    [InlineData("not-a-client-id")]
    public void A_visitor_without_a_GA_client_id_is_skipped(string? clientId)
    {
        var built = Build(Booking(), Visitor() with { GaClientId = clientId });

        Assert.Null(built.Body);
        Assert.Equal(Ga4Status.Skipped, built.SkipStatus);
        Assert.Contains("_ga", built.SkipReason, StringComparison.Ordinal);
        Assert.Empty(built.KeysSent);
    }

    [Fact]
    public void No_visitor_is_skipped()
    {
        var built = Build(Booking(), visitor: null);

        Assert.Null(built.Body);
        Assert.Equal(Ga4Status.Skipped, built.SkipStatus);
        Assert.Contains("no visitor", built.SkipReason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_event_older_than_the_maximum_age_is_too_old_and_one_just_within_is_sent()
    {
        var tooOld = Build(Booking() with { EventTime = Now - MaxAge - TimeSpan.FromSeconds(1) });
        Assert.Null(tooOld.Body);
        Assert.Equal(Ga4Status.TooOld, tooOld.SkipStatus);
        Assert.Contains("72 hours", tooOld.SkipReason, StringComparison.Ordinal);

        // Too old wins over skipped: the receipt says the more useful thing.
        Assert.Equal(Ga4Status.TooOld, Build(Booking() with { EventTime = Now.AddDays(-10) }, visitor: null).SkipStatus);

        var within = Build(Booking() with { EventTime = Now - MaxAge });
        Assert.Equal((Now - MaxAge).ToUnixTimeMilliseconds() * 1000, (long)within.Body!["timestamp_micros"]!);
    }

    [Fact]
    public void An_event_in_the_future_is_sent_as_now_and_one_without_a_time_as_now()
    {
        var future = Build(Booking() with { EventTime = Now.AddHours(2) });
        Assert.Equal(Now.ToUnixTimeMilliseconds() * 1000, (long)future.Body!["timestamp_micros"]!);

        var noTime = Build(Booking() with { EventTime = null });
        Assert.Equal(Now.ToUnixTimeMilliseconds() * 1000, (long)noTime.Body!["timestamp_micros"]!);

        var past = Build(Booking() with { EventTime = Now.AddMinutes(-5).AddTicks(1234) });
        Assert.Equal(Now.AddMinutes(-5).ToUnixTimeMilliseconds() * 1000, (long)past.Body!["timestamp_micros"]!);
    }

    [Theory]
    [InlineData("Schedule", "generate_lead")]
    [InlineData("Purchase", "purchase")]
    [InlineData(null, "generate_lead")]
    [InlineData("Lead", "generate_lead")]
    [InlineData("CompleteRegistration", "sign_up")]
    [InlineData("InitiateCheckout", "begin_checkout")]
    [InlineData("StartTrial", "start_trial")]
    [InlineData("ApplicationApproval", "application_approval")]
    [InlineData("my-Custom Event!", "my_custom_event")]
    [InlineData("__Webinar__", "webinar")]
    [InlineData("2024Promo", "event_2024_promo")]
    [InlineData("日本", "event_")]
    [InlineData("GaThing", "generate_lead")]
    [InlineData("GoogleThing", "generate_lead")]
    public void Event_names_map_to_GA4_names_or_become_valid_snake_case(string? tikTokEvent, string expected)
    {
        var name = Ga4EventBuilder.EventName(tikTokEvent);

        Assert.Equal(expected, name);
        Assert.True(Ga4Limits.IsEventName(name), name);
    }

    [Fact]
    public void A_long_event_name_is_cut_to_40_characters()
    {
        var name = Ga4EventBuilder.EventName(string.Concat(Enumerable.Repeat("Very", 30)));

        Assert.Equal(Ga4Limits.MaxEventNameLength, name.Length);
        Assert.StartsWith("very_very", name, StringComparison.Ordinal);
        Assert.True(Ga4Limits.IsEventName(name), name);
    }

    [Theory]
    [InlineData("SessionStart", "session_start")]
    [InlineData("FirstVisit", "first_visit")]
    [InlineData("Error", "error")]
    [InlineData("UserEngagement", "user_engagement")]
    [InlineData("PageView", "page_view")]
    [InlineData("Click", "click")]
    [InlineData("ScreenView", "screen_view")]
    public void A_name_GA4_reserves_is_never_sent(string tikTokEvent, string reserved)
    {
        Assert.False(Ga4Limits.IsEventName(reserved), reserved);
        Assert.Equal("generate_lead", Ga4EventBuilder.EventName(tikTokEvent));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void KeysSent_names_exactly_what_the_body_carries(bool sale, bool sendUserId)
    {
        var built = Build(sale ? Sale() : Booking(), sendUserId: sendUserId);

        Assert.Equal(BodyKeys(built.Body!).Order(StringComparer.Ordinal), built.KeysSent.Order(StringComparer.Ordinal));
    }

    /// <summary>What a body carries, as <see cref="Ga4BuiltEvent.KeysSent"/> names it: its ids and the event's parameters.</summary>
    internal static IEnumerable<string> BodyKeys(JsonObject body) =>
        body.Select(p => p.Key).Where(key => key is not ("events" or "timestamp_micros"))
            .Concat(Event(body)["params"]!.AsObject().Select(p => p.Key).Where(key => key != "engagement_time_msec"));

    internal static JsonObject Event(JsonObject body) => Assert.IsType<JsonObject>(Assert.Single(body["events"]!.AsArray()));

    private static Ga4BuiltEvent Build(Conversion conversion, bool sendUserId = false) => Build(conversion, Visitor(), sendUserId);

    private static Ga4BuiltEvent Build(Conversion conversion, VisitorProfile? visitor, bool sendUserId = false) =>
        Ga4EventBuilder.Build(conversion, visitor, Options(sendUserId), MaxAge, Now);

    internal static Ga4FunnelOptions Options(bool sendUserId) => new() { MeasurementId = "G-TEST1234", ApiSecret = "secret", SendUserId = sendUserId };

    private static VisitorProfile Visitor(string? sessionId = SessionId) =>
        new() { VisitorId = "visitor-1", GaClientId = ClientId, GaSessionId = sessionId };

    internal static Conversion Booking() => new()
    {
        Mark = "acme",
        Source = "calendly",
        SourceEvent = "invitee.created",
        Decision = ConversionDecision.Send,
        ReceiptId = "calendly:booking-1",
        TikTokEvent = TikTokEventNames.Schedule,
        EventId = "calendly:booking-1",
        EventTime = Now.AddMinutes(-5),
        ContentName = "Intro call",
    };

    private static Conversion Sale(string eventId = "stripe:pi_1") => Booking() with
    {
        Source = "stripe",
        SourceEvent = "payment_intent.succeeded",
        ReceiptId = eventId,
        TikTokEvent = TikTokEventNames.Purchase,
        EventId = eventId,
        Value = 49.5m,
        Currency = "EUR",
    };

    [System.Text.RegularExpressions.GeneratedRegex(@"\A[0-9a-f]{64}\z")]
    private static partial System.Text.RegularExpressions.Regex Sha256();
}
