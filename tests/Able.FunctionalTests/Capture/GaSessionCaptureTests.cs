using System.Text.Json.Nodes;
using Able.Schema.Visitors;
using static Able.FunctionalTests.Capture.GatewayRequests;

namespace Able.FunctionalTests.Capture;

/// <summary>
/// The GA4 session id through the real gateway and real Redis: read from the funnel's own stream cookie
/// (<c>_ga_&lt;measurement id without G-&gt;</c>) when the funnel has GA4, never otherwise, and never from another stream's.
/// </summary>
public sealed class GaSessionCaptureTests
{
    private const string Cookies =
        "_ga=GA1.1.1234567890.1700000000; _ga_OTHER99=GS1.1.1600000000.1.1.1600000000.0.0.0; _ga_TEST1234=GS2.1.s1700000000$o1$g0$t1700000500$j60$l0$h0";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_session_id_is_captured_from_the_funnel_s_GA4_stream_cookie_only_when_the_funnel_has_GA4(bool withGa4)
    {
        await using var run = await GatewayWithOrigin.StartAsync(config =>
        {
            if (withGa4)
            {
                config.Funnel["Ga4"] = new JsonObject { ["MeasurementId"] = "G-TEST1234", ["ApiSecret"] = "test-ga4-secret" };
            }
        });
        var (_, redis, config, gateway) = run;

        using var response = await gateway.Client.SendAsync(Page(gateway.PublicBase, "/landing?utm_source=tiktok", cookie: Cookies));
        var visitorId = VisitorCookie(response)!;

        var fields = await VisitorAsync(redis, config, visitorId);
        var profile = await ProfileAsync(redis, config, visitorId);
        Assert.Equal("1234567890.1700000000", profile.GaClientId);
        if (withGa4)
        {
            Assert.Equal("1700000000", fields[VisitorFields.GaSessionId]);
            Assert.Equal("1700000000", profile.GaSessionId);
        }
        else
        {
            Assert.False(fields.ContainsKey(VisitorFields.GaSessionId));
            Assert.Null(profile.GaSessionId);
        }
    }
}
