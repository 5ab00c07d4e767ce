using Able.Schema.Visitors;
using StackExchange.Redis;

namespace Able.Tests.Visitors;

/// <summary>
/// How <see cref="VisitorProfile.FromFields"/> puts a visitor together from the hash the capture script writes: each
/// value is stored once, so the newest click and the latest touch are derived from where they are stored.
/// </summary>
public sealed class VisitorProfileFieldsTests
{
    private const string Vid = "AAAAAAAAAAAAAAAAAAAAAA";

    private static readonly VisitorTouch Landing = new()
    {
        Kind = "pageview", At = 1_764_000_000_000, Url = "https://book.acme.test/?ttclid=E.C.P.one",
        Referrer = "https://www.tiktok.com/", Ttclid = "E.C.P.one",
    };

    [Fact]
    public void A_click_on_the_first_touch_is_read_from_the_first_touch()
    {
        var profile = VisitorProfile.FromFields(Vid, [new(VisitorFields.FirstTouch, Landing.ToJson()), new(VisitorFields.Ip, "203.0.113.7")], null);

        Assert.Equal("E.C.P.one", profile.ClickTtclid);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(Landing.At), profile.ClickAt);
        Assert.Equal(Landing.Url, profile.ClickUrl);
        Assert.Equal("https://www.tiktok.com/", profile.ClickReferrer);
        Assert.Equal(Landing.Url, profile.FirstTouch!.Url);
        Assert.Same(profile.FirstTouch, profile.LastTouch);
        Assert.Equal("203.0.113.7", profile.Ip);
    }

    [Fact]
    public void A_first_touch_without_a_click_gives_no_click()
    {
        var organic = Landing with { Ttclid = null, Url = "https://book.acme.test/" };
        var profile = VisitorProfile.FromFields(Vid, [new(VisitorFields.FirstTouch, organic.ToJson())], null);

        Assert.Null(profile.ClickTtclid);
        Assert.Null(profile.ClickAt);
        Assert.Null(profile.ClickUrl);
        Assert.Null(profile.ClickReferrer);
    }

    [Fact]
    public void A_later_click_is_newer_than_the_first_touch_click_and_the_newest_later_touch_is_the_last()
    {
        var later = Landing with { At = Landing.At + 60_000, Url = "https://book.acme.test/pricing", Ttclid = null };
        HashEntry[] fields =
        [
            new(VisitorFields.FirstTouch, Landing.ToJson()),
            new(VisitorFields.ClickTtclid, "E.C.P.two"),
            new(VisitorFields.ClickAt, Landing.At + 30_000),
            new(VisitorFields.ClickUrl, "https://book.acme.test/offer?ttclid=E.C.P.two"),
            new(VisitorFields.ClickReferrer, ""),
        ];

        var profile = VisitorProfile.FromFields(Vid, fields, later);

        Assert.Equal("E.C.P.two", profile.ClickTtclid);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(Landing.At + 30_000), profile.ClickAt);
        Assert.Equal("https://book.acme.test/offer?ttclid=E.C.P.two", profile.ClickUrl);
        Assert.Null(profile.ClickReferrer);
        Assert.Equal("https://book.acme.test/pricing", profile.LastTouch!.Url);
        Assert.Equal("E.C.P.one", profile.FirstTouch!.Ttclid);
    }

    [Fact]
    public void A_visitor_written_in_the_layout_before_one_script_captures_still_reads_the_same()
    {
        // That layout kept the latest touch in "last" and always wrote the click fields.
        var last = Landing with { At = Landing.At + 5_000, Url = "https://book.acme.test/book", Ttclid = null };
        HashEntry[] fields =
        [
            new(VisitorFields.FirstTouch, Landing.ToJson()),
            new(VisitorFields.LegacyLastTouch, last.ToJson()),
            new(VisitorFields.ClickTtclid, "E.C.P.one"),
            new(VisitorFields.ClickAt, Landing.At),
            new(VisitorFields.ClickUrl, Landing.Url),
            new(VisitorFields.ClickReferrer, Landing.Referrer),
        ];

        var profile = VisitorProfile.FromFields(Vid, fields, null);

        Assert.Equal("https://book.acme.test/book", profile.LastTouch!.Url);
        Assert.Equal("E.C.P.one", profile.ClickTtclid);
        Assert.Equal(Landing.Url, profile.ClickUrl);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(Landing.At), profile.ClickAt);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("{\"kind\":\"pageview\"}")]
    [InlineData("[]")]
    public void A_corrupt_first_touch_reads_as_none_and_never_throws(string json)
    {
        var profile = VisitorProfile.FromFields(Vid, [new(VisitorFields.FirstTouch, json), new(VisitorFields.UserAgent, "Mozilla/5.0")], null);

        Assert.Null(profile.FirstTouch);
        Assert.Null(profile.LastTouch);
        Assert.Null(profile.ClickTtclid);
        Assert.Equal("Mozilla/5.0", profile.UserAgent);
    }

    [Fact]
    public void Client_hints_and_the_GA4_session_id_are_read_from_their_fields()
    {
        HashEntry[] fields =
        [
            new(VisitorFields.FirstTouch, Landing.ToJson()),
            new(VisitorFields.GaSessionId, "1700000000"),
            new(VisitorFields.HintBrands, "\"Chromium\";v=\"128\""),
            new(VisitorFields.HintMobile, "0"),
            new(VisitorFields.HintPlatform, "Windows"),
            new(VisitorFields.HintPlatformVersion, "15.0.0"),
            new(VisitorFields.HintArchitecture, "x86"),
            new(VisitorFields.HintBitness, "64"),
            new(VisitorFields.HintFullVersionList, "\"Chromium\";v=\"128.0.6613.84\""),
        ];

        var profile = VisitorProfile.FromFields(Vid, fields, null);

        Assert.Equal("1700000000", profile.GaSessionId);
        Assert.Equal(
            new DeviceHints
            {
                Brands = "\"Chromium\";v=\"128\"", Mobile = false, Platform = "Windows", PlatformVersion = "15.0.0", Architecture = "x86", Bitness = "64",
                FullVersionList = "\"Chromium\";v=\"128.0.6613.84\"",
            },
            profile.Device);
        Assert.Equal([new BrandVersion("Chromium", "128.0.6613.84")], profile.Device!.FullVersions());
    }

    [Fact]
    public void A_visitor_without_hints_has_no_device()
    {
        var profile = VisitorProfile.FromFields(Vid, [new(VisitorFields.FirstTouch, Landing.ToJson()), new(VisitorFields.HintMobile, "")], null);

        Assert.Null(profile.Device);
    }
}
