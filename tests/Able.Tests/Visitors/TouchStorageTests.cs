using Able.Schema.Visitors;
using CsCheck;

namespace Able.Tests.Visitors;

/// <summary>
/// A touch is stored with each value once (<see cref="VisitorTouch.ForStorage"/>): the ttclid, UTMs and click ids are
/// left out when its URL carries them, and <see cref="VisitorTouch.FromJson"/> reads them back. What a reader gets back
/// must be exactly what was captured, whatever the URL holds.
/// </summary>
public sealed class TouchStorageTests
{
    private static readonly VisitorTouch Click = new()
    {
        Kind = "pageview", At = 1_764_657_600_000, Ip = "203.0.113.7", UserAgent = "Mozilla/5.0", AcceptLanguage = "en",
        Ttp = "ttp1", GaClientId = "1.2", Referrer = "https://www.tiktok.com/",
        Url = "https://book.acme.test/?ttclid=E.C.P.1&utm_source=tiktok&utm_campaign=spring+sale&gclid=G-1",
        Ttclid = "E.C.P.1", Utm = new() { ["utm_source"] = "tiktok", ["utm_campaign"] = "spring sale" }, ClickIds = new() { ["gclid"] = "G-1" },
    };

    [Fact]
    public void Parameters_the_url_carries_are_stored_once_and_read_back()
    {
        var json = Click.ForStorage().ToJson();

        Assert.DoesNotContain("\"ttclid\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"utm\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"click_ids\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("203.0.113.7", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u0026", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"kind\"", json, StringComparison.Ordinal);
        var read = VisitorTouch.FromJson(json)!;
        Assert.Equal(VisitorTouch.PageView, read.Kind);
        Assert.Equal("link", VisitorTouch.FromJson((Click with { Kind = "link" }).ForStorage().ToJson())!.Kind);
        Assert.Equal("E.C.P.1", read.Ttclid);
        Assert.Equal(Click.Utm, read.Utm);
        Assert.Equal(Click.ClickIds, read.ClickIds);
        Assert.Equal(Click.Url, read.Url);
        Assert.Null(read.Ip);
    }

    [Fact]
    public void Parameters_the_stored_url_lost_stay_in_the_touch()
    {
        // A URL too long to keep its query is stored without it; the captured click must not go with it.
        var cut = Click with { Url = "https://book.acme.test/" };

        var read = VisitorTouch.FromJson(cut.ForStorage().ToJson())!;

        Assert.Equal("E.C.P.1", read.Ttclid);
        Assert.Equal(Click.Utm, read.Utm);
    }

    [Fact]
    public void A_touch_that_captured_nothing_does_not_gain_what_its_url_shows()
    {
        // Capture was refused for these values (say, over its budget of values); the URL still shows them.
        var none = Click with { Ttclid = null, Utm = null, ClickIds = null };

        var read = VisitorTouch.FromJson(none.ForStorage().ToJson())!;

        Assert.Null(read.Ttclid);
        Assert.Null(read.Utm);
        Assert.Null(read.ClickIds);
    }

    private static readonly Gen<string> ParameterValue = Gen.OneOf(
        Gen.Const("E.C.P.abc"), Gen.Const("tiktok"), Gen.Const("a+b"), Gen.Const("%41%42"), Gen.Const("%FF"), Gen.Const("x%2By"),
        Gen.Const(""), Gen.Const("a@b"), Gen.Const(new string('Q', 600)), Gen.Const("%01"), AdversarialInput.Text);

    private static readonly Gen<string> ParameterName = AdversarialInput.Element(
        "ttclid", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "gclid", "fbclid", "msclkid", "page", "TTCLID", "utm_source ");

    private static readonly Gen<string> Query = Gen.Select(ParameterName, ParameterValue, (name, value) => $"{name}={Uri.EscapeDataString(value)}")
        .Array[0, 6].Select(pairs => string.Join('&', pairs));

    [Fact]
    public void Any_capture_reads_back_exactly_as_captured() =>
        Gen.Select(Query, Gen.Bool, Gen.Bool).Sample((query, keepUrl, captureFromUrl) =>
        {
            var url = "https://book.acme.test/landing?" + query;
            var (ttclid, utm, clickIds) = captureFromUrl ? TouchParameters.FromUrl(url) : (null, null, null);
            var captured = new VisitorTouch
            {
                Kind = "pageview", At = 1, Url = keepUrl ? url : "https://book.acme.test/landing", Ttclid = ttclid, Utm = utm, ClickIds = clickIds,
            };

            var read = VisitorTouch.FromJson(captured.ForStorage().ToJson())!;

            Assert.Equal(captured.Ttclid, read.Ttclid);
            Assert.Equal(captured.Utm?.OrderBy(p => p.Key, StringComparer.Ordinal), read.Utm?.OrderBy(p => p.Key, StringComparer.Ordinal));
            Assert.Equal(captured.ClickIds?.OrderBy(p => p.Key, StringComparer.Ordinal), read.ClickIds?.OrderBy(p => p.Key, StringComparer.Ordinal));
            Assert.Equal(captured.Url, read.Url);
        }, iter: AdversarialInput.Iterations);

    [Fact]
    public void Reading_parameters_from_any_text_never_throws() =>
        AdversarialInput.Text.Sample(text =>
        {
            var (ttclid, _, _) = TouchParameters.FromUrl("https://x/?" + text);
            Assert.True(ttclid is null || ttclid.Length <= CaptureValue.MaxIdLength);
            TouchParameters.FromUrl(text);
        }, iter: AdversarialInput.Iterations);
}
