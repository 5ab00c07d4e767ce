using System.Text.Json.Nodes;
using Able.Attribution.Ga4;
using Able.Schema.Visitors;

namespace Able.Tests.Ga4;

/// <summary>
/// The GA4 contracts the README states, each pinned on its own: every event name of the "What is sent" table, the names
/// GA4 reserves (Google Analytics Help, "Event naming rules"), the 40-character name and 256-character user_id limits,
/// the purchase's items, and which HTTP statuses are success.
/// </summary>
public sealed class Ga4ContractTests
{
    [Theory]
    [InlineData("Schedule", "generate_lead")]
    [InlineData("Purchase", "purchase")]
    [InlineData("Lead", "generate_lead")]
    [InlineData("Contact", "generate_lead")]
    [InlineData("SubmitApplication", "generate_lead")]
    [InlineData("CompleteRegistration", "sign_up")]
    [InlineData("AddToCart", "add_to_cart")]
    [InlineData("AddToWishlist", "add_to_wishlist")]
    [InlineData("InitiateCheckout", "begin_checkout")]
    [InlineData("AddPaymentInfo", "add_payment_info")]
    [InlineData("ViewContent", "view_item")]
    [InlineData("Search", "search")]
    [InlineData("Subscribe", "subscribe")]
    [InlineData("Download", "download")]
    public void Each_TikTok_standard_event_has_the_GA4_name_the_README_table_gives(string tikTokEvent, string ga4Name) =>
        Assert.Equal(ga4Name, Ga4EventBuilder.EventName(tikTokEvent));

    [Theory]
    [InlineData("ad_activeview")]
    [InlineData("ad_click")]
    [InlineData("ad_exposure")]
    [InlineData("ad_impression")]
    [InlineData("ad_query")]
    [InlineData("ad_reward")]
    [InlineData("adunit_exposure")]
    [InlineData("app_clear_data")]
    [InlineData("app_exception")]
    [InlineData("app_install")]
    [InlineData("app_remove")]
    [InlineData("app_store_refund")]
    [InlineData("app_store_subscription_cancel")]
    [InlineData("app_store_subscription_renew")]
    [InlineData("app_update")]
    [InlineData("app_upgrade")]
    [InlineData("click")]
    [InlineData("dynamic_link_app_open")]
    [InlineData("dynamic_link_app_update")]
    [InlineData("dynamic_link_first_open")]
    [InlineData("error")]
    [InlineData("file_download")]
    [InlineData("first_open")]
    [InlineData("first_visit")]
    [InlineData("form_start")]
    [InlineData("form_submit")]
    [InlineData("in_app_purchase")]
    [InlineData("notification_dismiss")]
    [InlineData("notification_foreground")]
    [InlineData("notification_open")]
    [InlineData("notification_receive")]
    [InlineData("os_update")]
    [InlineData("page_view")]
    [InlineData("screen_view")]
    [InlineData("scroll")]
    [InlineData("session_start")]
    [InlineData("user_engagement")]
    [InlineData("video_complete")]
    [InlineData("video_progress")]
    [InlineData("video_start")]
    [InlineData("view_complete")]
    [InlineData("view_search_results")]
    [InlineData("ga_session")]
    [InlineData("google_thing")]
    [InlineData("firebase_thing")]
    public void A_name_GA4_reserves_is_not_a_name_to_send(string reserved)
    {
        Assert.False(Ga4Limits.IsEventName(reserved));
        // The same name as a conversion's event is sent as a lead instead.
        Assert.Equal("generate_lead", Ga4EventBuilder.EventName(reserved));
    }

    [Fact]
    public void An_event_name_may_be_40_characters_and_not_41()
    {
        Assert.True(Ga4Limits.IsEventName("a" + new string('b', 39)));
        Assert.False(Ga4Limits.IsEventName("a" + new string('b', 40)));
        Assert.False(Ga4Limits.IsEventName(""));
        Assert.False(Ga4Limits.IsEventName(null));
    }

    [Fact]
    public void A_user_id_of_256_characters_is_sent_and_one_of_257_is_not()
    {
        Assert.Equal(new string('v', 256), (string?)Build(Ga4EventBuilderTests.Booking(), new string('v', 256)).Body!["user_id"]);
        var tooLong = Build(Ga4EventBuilderTests.Booking(), new string('v', 257));
        Assert.Null(tooLong.Body!["user_id"]);
        Assert.DoesNotContain("user_id", tooLong.KeysSent);
    }

    [Fact]
    public void A_purchase_carries_items_only_for_known_content_and_each_item_only_what_is_known()
    {
        var sale = Ga4EventBuilderTests.Booking() with
        {
            TikTokEvent = "Purchase", EventId = "stripe:pi_9", Value = 10m, Currency = "USD", ContentName = null, ContentId = null,
        };

        Assert.Null(Parameters(Build(sale))["items"]);
        Assert.DoesNotContain("items", Build(sale).KeysSent);

        var byId = Item(Build(sale with { ContentId = "plan-gold" }));
        Assert.Equal("plan-gold", (string?)byId["item_id"]);
        Assert.Null(byId["item_name"]);
        Assert.Equal(1, (int)byId["quantity"]!);

        var byName = Item(Build(sale with { ContentName = "Gold plan" }));
        Assert.Equal("Gold plan", (string?)byName["item_name"]);
        Assert.Null(byName["item_id"]);
    }

    [Fact]
    public void A_value_cut_to_100_characters_drops_every_unpaired_high_surrogate_at_the_cut_even_all_of_them()
    {
        Assert.Equal("", Ga4Limits.Cap(new string('\uD83D', 101)));
        Assert.Equal("a", Ga4Limits.Cap("a" + new string('\uD83D', 120)));
        Assert.Equal(new string('x', 100), Ga4Limits.Cap(new string('x', 101)));
    }

    [Theory]
    [InlineData(200, Ga4SendOutcome.Accepted)]
    [InlineData(204, Ga4SendOutcome.Accepted)]
    [InlineData(299, Ga4SendOutcome.Accepted)]
    [InlineData(199, Ga4SendOutcome.Permanent)]
    [InlineData(300, Ga4SendOutcome.Permanent)]
    [InlineData(404, Ga4SendOutcome.Permanent)]
    [InlineData(408, Ga4SendOutcome.Retry)]
    [InlineData(429, Ga4SendOutcome.Retry)]
    [InlineData(499, Ga4SendOutcome.Permanent)]
    [InlineData(500, Ga4SendOutcome.Retry)]
    public void Only_2xx_is_success_and_5xx_429_and_408_are_retried(int status, Ga4SendOutcome outcome) =>
        Assert.Equal(outcome, Ga4Client.Interpret(status).Outcome);

    [Fact]
    public void Missing_arguments_are_refused_by_name()
    {
        Assert.Equal("conversion", Assert.Throws<ArgumentNullException>(() =>
            Ga4EventBuilder.Build(null!, null, Ga4EventBuilderTests.Options(false), Ga4EventBuilderTests.MaxAge, Ga4EventBuilderTests.Now)).ParamName);
        Assert.Equal("ga4", Assert.Throws<ArgumentNullException>(() =>
            Ga4EventBuilder.Build(Ga4EventBuilderTests.Booking(), null, null!, Ga4EventBuilderTests.MaxAge, Ga4EventBuilderTests.Now)).ParamName);
        Assert.Equal("eventId", Assert.Throws<ArgumentNullException>(() => Ga4EventBuilder.TransactionId(null!)).ParamName);
        Assert.Equal("value", Assert.Throws<ArgumentNullException>(() => Ga4Limits.Cap(null!)).ParamName);
        Assert.Equal("body", Assert.Throws<ArgumentNullException>(() => Ga4Limits.Problems(null!)).ParamName);
    }

    private static Ga4BuiltEvent Build(Able.Attribution.Conversions.Conversion conversion, string visitorId = "visitor-1") =>
        Ga4EventBuilder.Build(conversion, new VisitorProfile { VisitorId = visitorId, GaClientId = "555.1700000000" },
            Ga4EventBuilderTests.Options(sendUserId: true), Ga4EventBuilderTests.MaxAge, Ga4EventBuilderTests.Now);

    private static JsonObject Parameters(Ga4BuiltEvent built) => Ga4EventBuilderTests.Event(built.Body!)["params"]!.AsObject();

    private static JsonObject Item(Ga4BuiltEvent built) => Assert.Single(Parameters(built)["items"]!.AsArray())!.AsObject();
}
