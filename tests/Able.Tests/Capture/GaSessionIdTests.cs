using Able.Gateway.Capture;
using Able.Schema.Configuration;

namespace Able.Tests.Capture;

public sealed class GaSessionIdTests
{
    [Theory]
    [InlineData("GS1.1.1700000000.5.1.1700000500.0.0.0", "1700000000")]
    [InlineData("GS1.2.1700000000.1.0.1700000000.60.0.0", "1700000000")]
    [InlineData(" GS1.1.1700000000.5.1.1700000500.0.0.0 ", "1700000000")]
    [InlineData("GS2.1.s1700000000$o1$g0$t1700000500$j60$l0$h0", "1700000000")]
    [InlineData("GS2.2.s1700000000", "1700000000")]
    [InlineData("GS2.1.s1700000000$o1.extra", "1700000000")]
    [InlineData("GS2.1.1700000000$o1$g0", null)]
    [InlineData("GS2.1.s$o1", null)]
    [InlineData("GS2.1.sabc$o1", null)]
    [InlineData("GS1.1.s1700000000.5", null)]
    [InlineData("GS1.1.-1700000000.5", null)]
    [InlineData("GS1.x.1700000000.5", null)]
    [InlineData("GS3.1.1700000000.5", null)]
    [InlineData("GA1.1.1234567890.1700000000", null)]
    [InlineData("GS1.1.123456789012345678901.5", null)]
    [InlineData("GS1.1", null)]
    [InlineData("GS1..1700000000", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Session_id_is_the_third_part_or_the_digits_after_s(string? cookie, string? expected) =>
        Assert.Equal(expected, GaSessionId.FromCookie(cookie));

    [Theory]
    [InlineData("G-ABC123XYZ", "_ga_ABC123XYZ")]
    [InlineData(null, null)]
    public void The_session_cookie_is_named_after_the_funnel_s_measurement_id(string? measurementId, string? expected)
    {
        var funnel = new FunnelOptions { Mark = "acme", Ga4 = measurementId is null ? null : new Ga4FunnelOptions { MeasurementId = measurementId } };

        Assert.Equal(expected, GaSessionId.CookieName(funnel));
    }
}
