using Able.Gateway.Capture;
using Able.Schema.Configuration;
using Microsoft.AspNetCore.Http;

namespace Able.Tests.Capture;

/// <summary>
/// Whether a request may be captured: <c>Sec-GPC: 1</c> refuses (when honoured, the default); else the site's
/// consent cookie refuses when it holds one of the denied values (trimmed, any case); else capture is allowed.
/// </summary>
public sealed class ConsentDecisionTests
{
    private static readonly ConsentOptions Consent = new() { CookieName = "cookie_consent", DeniedValues = ["denied", "no"] };

    private static bool Allows(ConsentOptions consent, string? gpc = null, string? cookieHeader = null)
    {
        var context = new DefaultHttpContext();
        if (gpc is not null)
        {
            context.Request.Headers["Sec-GPC"] = gpc;
        }

        if (cookieHeader is not null)
        {
            context.Request.Headers.Cookie = cookieHeader;
        }

        return ConsentDecision.AllowsCapture(context.Request, consent);
    }

    [Fact]
    public void Without_a_signal_capture_is_allowed()
    {
        Assert.True(Allows(Consent));
        Assert.True(Allows(new ConsentOptions()));
        Assert.True(Allows(Consent, cookieHeader: "other=denied"));
    }

    [Theory]
    [InlineData("1")]
    [InlineData(" 1 ")]
    public void Sec_gpc_1_refuses_capture_by_default(string gpc)
    {
        Assert.True(new ConsentOptions().HonorGlobalPrivacyControl);
        Assert.False(Allows(new ConsentOptions(), gpc));
        Assert.False(Allows(Consent, gpc));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("")]
    [InlineData("true")]
    [InlineData("11")]
    public void Only_the_value_1_is_a_gpc_refusal(string gpc) =>
        Assert.True(Allows(Consent, gpc));

    [Fact]
    public void Gpc_wins_over_a_consent_cookie_that_grants()
    {
        Assert.False(Allows(Consent, "1", "cookie_consent=granted"));
    }

    [Fact]
    public void A_funnel_that_does_not_honour_gpc_ignores_it_but_still_reads_its_cookie()
    {
        var consent = Consent with { HonorGlobalPrivacyControl = false };

        Assert.True(Allows(consent, "1"));
        Assert.True(Allows(consent, "1", "cookie_consent=granted"));
        Assert.False(Allows(consent, "1", "cookie_consent=denied"));
    }

    [Theory]
    [InlineData("cookie_consent=denied")]
    [InlineData("cookie_consent=no")]
    [InlineData("cookie_consent=DENIED")]
    [InlineData("cookie_consent=No")]
    [InlineData("a=1; cookie_consent=denied; b=2")]
    [InlineData("cookie_consent=%20denied%20")]
    public void A_denied_value_in_the_consent_cookie_refuses_capture(string cookieHeader) =>
        Assert.False(Allows(Consent, cookieHeader: cookieHeader));

    [Theory]
    [InlineData("cookie_consent=granted")]
    [InlineData("cookie_consent=yes")]
    [InlineData("cookie_consent=")]
    [InlineData("cookie_consent=denied-ish")]
    [InlineData("cookie_consent=not%20denied")]
    public void Any_other_consent_cookie_value_allows_capture(string cookieHeader) =>
        Assert.True(Allows(Consent, cookieHeader: cookieHeader));

    [Fact]
    public void Without_a_consent_cookie_name_no_cookie_refuses()
    {
        var consent = new ConsentOptions { DeniedValues = ["denied"] };

        Assert.True(Allows(consent, cookieHeader: "cookie_consent=denied"));
        Assert.True(Allows(consent with { CookieName = "" }, cookieHeader: "=denied; cookie_consent=denied"));
    }

    [Fact]
    public void A_consent_cookie_without_denied_values_never_refuses() =>
        Assert.True(Allows(Consent with { DeniedValues = [] }, cookieHeader: "cookie_consent=denied"));

    [Fact]
    public void Deciding_without_a_request_or_consent_options_is_refused()
    {
        Assert.Throws<ArgumentNullException>("request", () => ConsentDecision.AllowsCapture(null!, Consent));
        Assert.Throws<ArgumentNullException>("consent", () => ConsentDecision.AllowsCapture(new DefaultHttpContext().Request, null!));
    }
}
