using Able.Gateway.Capture;
using Able.Schema.Visitors;
using Microsoft.AspNetCore.Http;

namespace Able.Tests.Visitors;

/// <summary>
/// What a stored touch's ad parameters are read back as (<see cref="TouchParameters"/>), and the cleaning rules the capture
/// readers share: each click id platform by name, the UTMs as text (spaces kept) and click ids as tokens, only a query
/// after '?', and a touch whose captured values differ from its URL's keeps them.
/// </summary>
public sealed class TouchParametersTests
{
    [Fact]
    public void Every_platforms_click_id_is_read_by_its_name()
    {
        foreach (var name in TouchParameters.ClickIdNames)
        {
            var (_, _, clickIds) = TouchParameters.FromUrl($"https://book.example.com/?{name}=Cj0KCQ.abc-1");
            Assert.Equal("Cj0KCQ.abc-1", Assert.Single(clickIds!, pair => pair.Key == name).Value);
        }

        Assert.Equal(["gclid", "gbraid", "wbraid", "fbclid", "msclkid"], TouchParameters.ClickIdNames);
    }

    [Fact]
    public void Every_utm_is_text_with_its_spaces_and_a_click_id_is_a_token()
    {
        var query = string.Join('&', TouchParameters.UtmNames.Select(name => $"{name}=spring+sale")) + "&ttclid=E.C.P+1&gclid=a+b";
        var (ttclid, utm, clickIds) = TouchParameters.FromUrl("https://book.example.com/landing?" + query);
        Assert.Equal(TouchParameters.UtmNames.Order(StringComparer.Ordinal), utm!.Keys.Order(StringComparer.Ordinal));
        Assert.All(utm.Values, value => Assert.Equal("spring sale", value));
        Assert.Null(ttclid); // "E.C.P 1": a space is not a token character
        Assert.Null(clickIds);
    }

    [Theory]
    [InlineData("https://book.example.com/landing")]
    [InlineData("ttclid=E.C.P.1&utm_source=tiktok")]
    [InlineData("")]
    [InlineData(null)]
    public void Without_a_question_mark_there_is_no_query_to_read(string? url) =>
        Assert.Equal((null, null, null), TouchParameters.FromUrl(url));

    [Fact]
    public void A_query_right_after_the_question_mark_is_read() =>
        Assert.Equal("E.C.P.1", TouchParameters.FromUrl("?ttclid=E.C.P.1").Ttclid);

    [Fact]
    public void A_touch_whose_captured_values_differ_from_its_url_keeps_them()
    {
        var touch = new VisitorTouch { At = 1_700_000_000_000, Url = "https://book.example.com/?utm_source=tiktok&ttclid=E.C.P.1", Ttclid = "E.C.P.1", Utm = new() { ["utm_source"] = "ads" } };
        Assert.False(TouchParameters.AreInUrl(touch));
        Assert.Equal("ads", touch.ForStorage().Utm!["utm_source"]);
        Assert.True(TouchParameters.AreInUrl(touch with { Utm = new() { ["utm_source"] = "tiktok" } }));
        Assert.False(TouchParameters.AreInUrl(touch with { Utm = new() { ["utm_medium"] = "tiktok" } }));
    }

    [Theory]
    [InlineData("50%2z", "50%2z")] // a percent sign before anything but two hex digits is text
    [InlineData("50%z2", "50%z2")]
    [InlineData("50%2F", null)] // an escape the decoder left (invalid UTF-8 around it) is not
    public void Only_a_leftover_percent_escape_rejects_a_query_value(string decoded, string? expected) =>
        Assert.Equal(expected, CaptureValue.CleanQueryValue(decoded, CaptureValue.MaxIdLength).Value);

    [Fact]
    public void An_over_long_landing_url_is_stored_without_its_query()
    {
        var context = new DefaultHttpContext();
        context.Request.Host = new HostString("book.example.com");
        context.Request.Path = "/landing";
        context.Request.QueryString = new QueryString("?" + string.Join('&', Enumerable.Range(0, 10).Select(i => $"k{i}={new string('v', 300)}")));
        Assert.Equal("https://book.example.com/landing", LandingUrl.Of(context.Request, "https"));

        context.Request.QueryString = new QueryString("?utm_source=tiktok");
        Assert.Equal("https://book.example.com/landing?utm_source=tiktok", LandingUrl.Of(context.Request, "https"));
    }

    [Fact]
    public void A_fragment_only_url_is_no_url() => Assert.Null(StoredUrl.Scrub("#section?x=1"));

    [Fact]
    public void A_bare_query_is_scrubbed_too() => Assert.Equal("?ref=ok", StoredUrl.Scrub("?email=jo%40example.com&ref=ok"));

    [Fact]
    public void Several_platforms_click_ids_are_all_read()
    {
        var (_, _, clickIds) = TouchParameters.FromUrl("https://book.example.com/?gclid=G.1&utm_source=x&fbclid=F.2&msclkid=M.3");
        Assert.Equal(["fbclid=F.2", "gclid=G.1", "msclkid=M.3"], clickIds!.Select(pair => $"{pair.Key}={pair.Value}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Null_arguments_are_refused()
    {
        Assert.Throws<ArgumentNullException>(() => StoredUrl.ScrubQuery(null!));
        Assert.Throws<ArgumentNullException>(() => StoredUrl.IsPersonal(null!, ""));
        Assert.Throws<ArgumentNullException>(() => StoredUrl.IsPersonal("", null!));
        Assert.Throws<ArgumentNullException>(() => StoredUrl.Fit(null!, 0));
        Assert.Throws<ArgumentNullException>(() => TouchParameters.AreInUrl(null!));
    }
}

/// <summary>The landing URL and page-navigation rules the capture step applies, stated one by one.</summary>
public sealed class CaptureRequestRulesTests
{
    [Theory]
    [InlineData("", "", "", "https://book.example.com/")]
    [InlineData("", "/pricing", "?email=jo&invitee_uuid=X", "https://book.example.com/pricing")]
    [InlineData("/shop", "/pricing", "?utm_source=tiktok&email=jo", "https://book.example.com/shop/pricing?utm_source=tiktok")]
    [InlineData("", "/a b", "?q=1", "https://book.example.com/a%20b?q=1")]
    public void The_landing_url_is_the_request_url_with_personal_parameters_removed(string pathBase, string path, string query, string expected)
    {
        var context = new DefaultHttpContext();
        context.Request.Host = new HostString("book.example.com");
        context.Request.PathBase = pathBase;
        context.Request.Path = path.Length == 0 ? "/" : path;
        context.Request.QueryString = new QueryString(query);
        Assert.Equal(expected, LandingUrl.Of(context.Request, "https"));
    }

    [Fact]
    public void A_path_with_a_lone_surrogate_gives_no_landing_url()
    {
        var context = new DefaultHttpContext();
        context.Request.Host = new HostString("book.example.com");
        // Made in code: a lone surrogate does not survive as test data (it is replaced on the way).
        foreach (var path in new[] { "/p" + (char)0xD800, "/p" + (char)0xDC00 + "x", "/" + (char)0xDC00 + (char)0xD800 })
        {
            context.Request.Path = path;
            Assert.Null(LandingUrl.Of(context.Request, "https"));
        }

        context.Request.Path = "/p" + (char)0xD83D + (char)0xDE00;
        Assert.Equal("https://book.example.com/p%F0%9F%98%80", LandingUrl.Of(context.Request, "https"));
    }

    [Fact]
    public void Every_listed_static_extension_is_an_asset_and_a_page_is_not()
    {
        string[] extensions =
        [
            ".js", ".mjs", ".css", ".map", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico", ".webp", ".avif", ".bmp",
            ".woff", ".woff2", ".ttf", ".otf", ".eot", ".mp4", ".webm", ".mp3", ".ogg", ".wav", ".pdf", ".zip", ".gz",
            ".json", ".xml", ".txt", ".wasm", ".webmanifest",
        ];
        Assert.All(extensions, extension => Assert.True(PageNavigation.IsStaticAsset("/assets/site" + extension.ToUpperInvariant()), extension));
        Assert.True(PageNavigation.IsStaticAsset("/.css"));
        Assert.False(PageNavigation.IsStaticAsset("/pricing"));
        Assert.False(PageNavigation.IsStaticAsset("/v1.2/pricing"));
        Assert.False(PageNavigation.IsStaticAsset("/page.html"));
    }

    [Theory]
    [InlineData("Sec-Purpose", "prefetch;prerender")]
    [InlineData("Purpose", "prefetch")]
    [InlineData("X-Moz", "prefetch")]
    [InlineData("X-Purpose", "preview")]
    public void Each_speculative_load_header_marks_a_prefetch(string header, string value)
    {
        var headers = new HeaderDictionary { [header] = value };
        Assert.True(PageNavigation.IsPrefetch(headers));
        Assert.False(PageNavigation.IsPrefetch(new HeaderDictionary { [header] = "navigate" }));
    }

    [Theory]
    [InlineData("Mozilla/5.0 Lynxbot", true)]
    [InlineData("Mozilla/5.0 bot", true)]
    [InlineData("Mozilla/5.0 botanical", false)]
    [InlineData("Mozilla/5.0 bot_x", true)]
    [InlineData("Cubot", false)]
    [InlineData("Cubot-X", true)]
    public void The_bot_rules_read_the_word_around_bot(string userAgent, bool crawler) =>
        Assert.Equal(crawler, PageNavigation.IsCrawler(userAgent));
}
