using Able.Gateway.Capture;
using Able.Schema.Visitors;
using CsCheck;
using Microsoft.AspNetCore.Http;

namespace Able.Tests.Capture;

/// <summary>
/// <see cref="LandingUrl"/> and <see cref="StoredUrl"/> on any URL, query and host a request can carry: never throws, and
/// never keeps an email address.
/// </summary>
public sealed class LandingUrlPropertyTests
{
    [Fact]
    public void Any_url_or_query_is_scrubbed_without_throwing_and_keeps_no_address() =>
        AdversarialInput.Text.Sample(text =>
        {
            _ = StoredUrl.Scrub(text);
            Assert.DoesNotContain("jane.doe@example.com", StoredUrl.Scrub("https://book.example.com/x?" + text) ?? "", StringComparison.Ordinal);
            Assert.DoesNotContain("jane.doe@example.com", StoredUrl.ScrubQuery(text), StringComparison.Ordinal);
            _ = StoredUrl.IsPersonal(text, text);
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
