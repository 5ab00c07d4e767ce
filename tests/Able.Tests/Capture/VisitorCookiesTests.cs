using Able.Gateway.Capture;
using Able.Schema.Configuration;

namespace Able.Tests.Capture;

public sealed class VisitorCookiesTests
{
    [Fact]
    public void Utms_round_trip_through_the_cookie()
    {
        var utms = new Dictionary<string, string> { ["utm_source"] = "tik tok", ["utm_campaign"] = "a&b=c;d,é", ["utm_content"] = "x" };
        var encoded = VisitorCookies.EncodeUtms(utms);
        Assert.Matches("^[A-Za-z0-9_-]+$", encoded);
        Assert.Equal(utms, VisitorCookies.DecodeUtms(encoded));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("%%bad%%")]
    [InlineData("not base64 at all")]
    [InlineData("__8")] // decodes to bytes that are not UTF-8
    public void Malformed_utm_cookies_give_no_utms(string? cookie) => Assert.Empty(VisitorCookies.DecodeUtms(cookie));

    [Fact]
    public void Only_known_utm_names_with_clean_values_are_read()
    {
        var text = "utm_source=ok&evil=1&utm_medium=a%01b&utm_term=" + new string('x', 600) + "&utm_campaign";
        var encoded = System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(text));
        Assert.Equal(new Dictionary<string, string> { ["utm_source"] = "ok" }, VisitorCookies.DecodeUtms(encoded));
    }

    [Fact]
    public void Cookie_headers_carry_every_attribute()
    {
        var options = new VisitorCookieOptions { Name = "vid", Domain = ".example.com", MaxAgeDays = 2 };
        Assert.Equal("vid=abc; Max-Age=172800; Domain=.example.com; Path=/; Secure; HttpOnly; SameSite=Lax", VisitorCookies.VisitorCookieHeader("abc", options));
        Assert.Equal("vid=abc; Max-Age=34560000; Path=/; Secure; HttpOnly; SameSite=Lax", VisitorCookies.VisitorCookieHeader("abc", new VisitorCookieOptions { Name = "vid" }));
        Assert.Null(VisitorCookies.UtmCookieHeader(new Dictionary<string, string>(), options));
    }
}
