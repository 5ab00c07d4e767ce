using System.Buffers.Text;
using System.Text;
using Able.Gateway.Capture;
using Able.Schema.Configuration;
using Able.Schema.Visitors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Able.Tests.Capture;

/// <summary>
/// The rules of the gateway's two cookies: the visitor id is read only when well-formed; the UTM cookie is
/// base64url of <c>name=value&amp;name=value</c> (known names in a fixed order, empty values left out), at most
/// <see cref="VisitorCookies.MaxUtmCookieLength"/> characters when written and when read, and a cookie that is
/// not strict UTF-8 is not one the gateway wrote, so none of it is read.
/// </summary>
public sealed class VisitorCookieRulesTests
{
    private static readonly VisitorCookieOptions Options = new() { Name = "vid", Domain = ".example.com", MaxAgeDays = 2 };

    private static HttpRequest RequestWithCookie(string cookieHeader)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Cookie = cookieHeader;
        return context.Request;
    }

    private static string TextOf(string cookie) => Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cookie));

    private static string CookieOf(string text) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));

    /// <summary>Three clean UTMs (each within <see cref="CaptureValue.MaxIdLength"/>) whose cookie text is <paramref name="bytes"/> bytes long.</summary>
    private static Dictionary<string, string> UtmsOfTextLength(int bytes)
    {
        // "utm_source=" + "&utm_medium=" + "&utm_campaign=" is 37 characters.
        var third = bytes - 37 - 500 - 500;
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["utm_source"] = new('s', 500),
            ["utm_medium"] = new('m', 500),
            ["utm_campaign"] = new('c', third),
        };
    }

    [Fact]
    public void A_well_formed_visitor_id_cookie_is_read_back()
    {
        var id = VisitorId.New();
        Assert.Equal(id, VisitorCookies.ReadVisitorId(RequestWithCookie($"other=1; vid={id}"), Options));
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAA")] // one character short
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAA")] // one character long
    [InlineData("AAAAAAAAAAAAAAAAAAAA+/")] // base64, not base64url
    public void A_malformed_visitor_id_cookie_gives_no_id(string value) =>
        Assert.Null(VisitorCookies.ReadVisitorId(RequestWithCookie($"vid={value}"), Options));

    [Fact]
    public void No_visitor_id_cookie_gives_no_id()
    {
        Assert.Null(VisitorCookies.ReadVisitorId(RequestWithCookie("able_vid=" + VisitorId.New()), Options));
        Assert.Null(VisitorCookies.ReadVisitorId(new DefaultHttpContext().Request, Options));
    }

    [Fact]
    public void Utms_are_read_from_the_request_cookie()
    {
        var utms = new Dictionary<string, string>(StringComparer.Ordinal) { ["utm_source"] = "news letter", ["utm_term"] = "a&b" };
        var request = RequestWithCookie($"vid=x; {VisitorCookies.UtmCookieName}={VisitorCookies.EncodeUtms(utms)}; z=1");
        Assert.Equal(utms, VisitorCookies.ReadUtms(request));
        Assert.Empty(VisitorCookies.ReadUtms(RequestWithCookie("vid=x")));
    }

    [Fact]
    public void The_utm_cookie_text_is_pairs_joined_by_ampersands_in_the_fixed_order()
    {
        var utms = new Dictionary<string, string> { ["utm_content"] = "c", ["utm_source"] = "a b", ["utm_medium"] = "x=y&z" };
        Assert.Equal("utm_source=a%20b&utm_medium=x%3Dy%26z&utm_content=c", TextOf(VisitorCookies.EncodeUtms(utms)));
        Assert.Equal("utm_term=t", TextOf(VisitorCookies.EncodeUtms(new Dictionary<string, string> { ["utm_term"] = "t" })));
    }

    [Fact]
    public void Empty_utm_values_are_left_out_of_the_cookie()
    {
        var utms = new Dictionary<string, string> { ["utm_source"] = "", ["utm_medium"] = "m", ["utm_campaign"] = "" };
        Assert.Equal("utm_medium=m", TextOf(VisitorCookies.EncodeUtms(utms)));

        var onlyEmpty = new Dictionary<string, string> { ["utm_source"] = "", ["utm_term"] = "" };
        Assert.Equal("", VisitorCookies.EncodeUtms(onlyEmpty));
        Assert.Null(VisitorCookies.UtmCookieHeader(onlyEmpty, Options));
    }

    [Fact]
    public void Unknown_names_are_left_out_of_the_cookie() =>
        Assert.Equal("", VisitorCookies.EncodeUtms(new Dictionary<string, string> { ["utm_evil"] = "x", ["gclid"] = "y" }));

    [Fact]
    public void The_utm_cookie_header_carries_the_encoded_value_and_the_attributes()
    {
        var utms = new Dictionary<string, string> { ["utm_source"] = "ads" };
        Assert.Equal(
            $"able_utm={VisitorCookies.EncodeUtms(utms)}; Max-Age=172800; Domain=.example.com; Path=/; Secure; HttpOnly; SameSite=Lax",
            VisitorCookies.UtmCookieHeader(utms, Options));
    }

    [Fact]
    public void A_utm_cookie_of_exactly_the_cap_is_written_and_read()
    {
        var utms = UtmsOfTextLength(1152); // base64url of 1,152 bytes is 1,536 characters
        var encoded = VisitorCookies.EncodeUtms(utms);
        Assert.Equal(VisitorCookies.MaxUtmCookieLength, encoded.Length);

        Assert.StartsWith($"able_utm={encoded}; ", VisitorCookies.UtmCookieHeader(utms, Options), StringComparison.Ordinal);
        Assert.Equal(utms, VisitorCookies.DecodeUtms(encoded));
    }

    [Fact]
    public void A_utm_cookie_over_the_cap_is_neither_written_nor_read()
    {
        var utms = UtmsOfTextLength(1153); // 1,538 characters; every value on its own is clean and short enough
        var encoded = VisitorCookies.EncodeUtms(utms);
        Assert.True(encoded.Length > VisitorCookies.MaxUtmCookieLength);

        Assert.Null(VisitorCookies.UtmCookieHeader(utms, Options));
        Assert.Empty(VisitorCookies.DecodeUtms(encoded));
        Assert.Empty(VisitorCookies.ReadUtms(RequestWithCookie($"{VisitorCookies.UtmCookieName}={encoded}")));
    }

    [Theory]
    [InlineData(new byte[] { 0xFF })] // never valid in UTF-8
    [InlineData(new byte[] { 0xC3 })] // a sequence cut short
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })] // an encoded surrogate
    [InlineData(new byte[] { 0xC0, 0xAF })] // an overlong '/'
    public void A_utm_cookie_that_is_not_utf8_is_not_read_at_all(byte[] invalid)
    {
        // The pairs before and after the bad bytes are fine: the whole cookie is still not one the gateway wrote.
        var bytes = Encoding.UTF8.GetBytes("utm_source=ok&utm_medium=x").Concat(invalid).Concat(Encoding.UTF8.GetBytes("&utm_term=t")).ToArray();
        Assert.Empty(VisitorCookies.DecodeUtms(Base64Url.EncodeToString(bytes)));
    }

    [Theory]
    [InlineData("=x&utm_source=a", "a")]
    [InlineData("&&utm_source=a&&", "a")]
    [InlineData("utm_source&utm_source=a", "a")]
    [InlineData("utm_source=&utm_medium=b", null)]
    public void Pairs_without_a_name_or_a_value_are_skipped(string text, string? source)
    {
        var utms = VisitorCookies.DecodeUtms(CookieOf(text));
        Assert.Equal(source, utms.GetValueOrDefault("utm_source"));
        Assert.DoesNotContain("", utms.Keys);
    }

    [Fact]
    public void Null_arguments_are_refused()
    {
        var request = new DefaultHttpContext().Request;
        var utms = new Dictionary<string, string> { ["utm_source"] = "a" };
        Assert.Throws<ArgumentNullException>(() => VisitorCookies.ReadVisitorId(null!, Options));
        Assert.Throws<ArgumentNullException>(() => VisitorCookies.ReadVisitorId(request, null!));
        Assert.Throws<ArgumentNullException>(() => VisitorCookies.VisitorCookieHeader(VisitorId.New(), null!));
        Assert.Throws<ArgumentNullException>(() => VisitorCookies.ReadUtms(null!));
        Assert.Throws<ArgumentNullException>(() => VisitorCookies.UtmCookieHeader(utms, null!));
        Assert.Throws<ArgumentNullException>(() => VisitorCookies.UtmCookieHeader(null!, Options));
        Assert.Throws<ArgumentNullException>(() => VisitorCookies.EncodeUtms(null!));
    }

    [Fact]
    public void Cache_control_ignores_a_missing_header_value() =>
        Assert.Equal("private, max-age=60", VisitorCookies.PrivateCacheControl(new StringValues([null, "public, max-age=60"])));
}
