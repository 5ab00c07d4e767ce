using Able.Gateway.Capture;
using Able.Gateway.ClientHints;
using Able.Schema.Configuration;
using Able.Schema.Visitors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Able.Tests.Capture;

/// <summary>
/// Client hints and the GA4 session cookie at the gateway, pinned at their edges: each text hint's 128-character value
/// with its quotes, a hint sent on several lines, a blank hint, the session cookie's name and cap, and the
/// <c>Accept-CH</c> merge of an origin list with empty items.
/// </summary>
public sealed class ClientHintCaptureContractTests
{
    [Theory]
    [InlineData(DeviceHintHeaders.Platform)]
    [InlineData(DeviceHintHeaders.PlatformVersion)]
    [InlineData(DeviceHintHeaders.Model)]
    [InlineData(DeviceHintHeaders.Architecture)]
    [InlineData(DeviceHintHeaders.Bitness)]
    public void A_text_hint_of_128_characters_in_its_quotes_is_captured_and_one_of_129_is_reported(string header)
    {
        var problems = new List<CaptureValueProblem>();
        var longest = new string('x', 128);
        var hints = DeviceHintHeaders.Read(new HeaderDictionary { [header] = $"\"{longest}\"" }, problems.Add);
        Assert.Contains(longest, new[] { hints!.Platform, hints.PlatformVersion, hints.Model, hints.Architecture, hints.Bitness });
        Assert.Empty(problems);

        Assert.Null(DeviceHintHeaders.Read(new HeaderDictionary { [header] = $"\"{longest}x\"" }, problems.Add));
        Assert.Single(problems);
    }

    [Fact]
    public void A_brand_list_sent_on_two_lines_is_one_list()
    {
        var headers = new HeaderDictionary { [DeviceHintHeaders.FullVersionList] = new StringValues(["\"A\";v=\"1.0\"", "\"B\";v=\"2.0\""]) };

        var hints = DeviceHintHeaders.Read(headers, _ => Assert.Fail("nothing to report"));

        Assert.Equal("\"A\";v=\"1.0\",\"B\";v=\"2.0\"", hints!.FullVersionList);
    }

    [Fact]
    public void A_blank_hint_is_left_out_without_a_report()
    {
        var problems = new List<CaptureValueProblem>();

        var hints = DeviceHintHeaders.Read(new HeaderDictionary { [DeviceHintHeaders.Model] = " ", [DeviceHintHeaders.Platform] = "\"Linux\"" }, problems.Add);

        Assert.Null(hints!.Model);
        Assert.Equal("Linux", hints.Platform);
        Assert.Empty(problems);
        Assert.Throws<ArgumentNullException>(() => DeviceHintHeaders.Read(null!, problems.Add));
        Assert.Throws<ArgumentNullException>(() => DeviceHintHeaders.Read(new HeaderDictionary(), null!));
    }

    [Fact]
    public void The_session_cookie_is_named_after_the_funnel_s_stream_and_read_up_to_256_characters()
    {
        Assert.Equal("_ga_ABC123", GaSessionId.CookieName(new FunnelOptions { Ga4 = new Ga4FunnelOptions { MeasurementId = "G-ABC123" } }));
        Assert.Null(GaSessionId.CookieName(new FunnelOptions()));
        Assert.Null(GaSessionId.CookieName(new FunnelOptions { Ga4 = new Ga4FunnelOptions { MeasurementId = "UA-1234" } }));
        Assert.Throws<ArgumentNullException>(() => GaSessionId.CookieName(null!));

        var cookie = "GS1.1.1700000000.5.1.1700000500.0.0.";
        Assert.Equal("1700000000", GaSessionId.FromCookie(cookie + new string('0', 256 - cookie.Length)));
        Assert.Null(GaSessionId.FromCookie(cookie + new string('0', 257 - cookie.Length)));
    }

    [Theory]
    [InlineData(",")]
    [InlineData(" , ,")]
    public void An_origin_Accept_CH_of_empty_items_gives_ours_alone(string origin) =>
        Assert.Equal(AcceptClientHints.RequestedHeader, AcceptClientHints.Merge(origin).ToString());

    [Fact]
    public void An_origin_item_after_a_leading_comma_is_still_found_and_not_asked_for_twice()
    {
        var merged = AcceptClientHints.Merge(",Sec-CH-UA-Model").ToString();

        Assert.Single(merged.Split(',', StringSplitOptions.TrimEntries), t => t == "Sec-CH-UA-Model");
    }
}
