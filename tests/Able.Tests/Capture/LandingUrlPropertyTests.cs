using Able.Gateway.Capture;
using CsCheck;
using Microsoft.AspNetCore.Http;

namespace Able.Tests.Capture;

/// <summary><see cref="LandingUrl"/> on any URL, query and host a request can carry: never throws, and never keeps an email address.</summary>
public sealed class LandingUrlPropertyTests
{
    [Fact]
    public void Any_url_or_query_is_scrubbed_without_throwing_and_keeps_no_address() =>
        AdversarialInput.Text.Sample(text =>
        {
            _ = LandingUrl.Scrub(text);
            Assert.DoesNotContain("jane.doe@example.com", LandingUrl.Scrub("https://book.example.com/x?" + text) ?? "", StringComparison.Ordinal);
            Assert.DoesNotContain("jane.doe@example.com", LandingUrl.ScrubQuery(text), StringComparison.Ordinal);
            _ = LandingUrl.IsPersonal(text, text);
        }, iter: AdversarialInput.Iterations);

    [Fact]
    public void Any_request_gives_a_url_or_null() =>
        Gen.Select(AdversarialInput.Text, AdversarialInput.Text, AdversarialInput.Text).Sample((host, path, query) =>
        {
            var context = new DefaultHttpContext();
            context.Request.Headers.Host = host;
            context.Request.Path = new PathString("/" + path);
            context.Request.QueryString = new QueryString("?" + query);
            var url = LandingUrl.Of(context.Request, "https");
            Assert.True(url is null || url.Length <= CaptureValue.MaxUrlLength);
        }, iter: AdversarialInput.Iterations);
}
