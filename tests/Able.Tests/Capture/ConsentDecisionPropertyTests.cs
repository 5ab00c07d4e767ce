using Able.Gateway.Capture;
using Able.Schema.Configuration;
using CsCheck;
using Microsoft.AspNetCore.Http;

namespace Able.Tests.Capture;

/// <summary><see cref="ConsentDecision"/> on any <c>Sec-GPC</c> header and consent cookie: an answer, never a throw; GPC always wins.</summary>
public sealed class ConsentDecisionPropertyTests
{
    private static readonly ConsentOptions Consent = new() { CookieName = "cookie_consent", DeniedValues = ["denied", "no"] };

    [Fact]
    public void Any_gpc_header_and_consent_cookie_get_an_answer() =>
        Gen.Select(AdversarialInput.Text, AdversarialInput.Text).Sample((gpc, cookie) =>
        {
            var context = new DefaultHttpContext();
            context.Request.Headers["Sec-GPC"] = gpc;
            context.Request.Headers.Cookie = $"cookie_consent={cookie}; other=1";
            var allowed = ConsentDecision.AllowsCapture(context.Request, Consent);
            if (gpc.Trim() == "1")
            {
                Assert.False(allowed);
            }
        }, iter: AdversarialInput.Iterations);
}
