using Able.Gateway.Capture;
using CsCheck;
using Microsoft.AspNetCore.Http;

namespace Able.Tests.Capture;

/// <summary><see cref="PageNavigation"/> on any header values and path: an answer, never a throw.</summary>
public sealed class PageNavigationPropertyTests
{
    [Fact]
    public void Any_headers_and_path_are_classified_without_throwing() =>
        Gen.Select(AdversarialInput.Text, AdversarialInput.Text, AdversarialInput.Text, AdversarialInput.Text, AdversarialInput.Element("GET", "HEAD", "POST", "get", "")).Sample((accept, agent, fetch, path, method) =>
        {
            var context = new DefaultHttpContext();
            context.Request.Method = method;
            context.Request.Path = new PathString("/" + path);
            context.Request.Headers.Accept = accept;
            context.Request.Headers.UserAgent = agent;
            context.Request.Headers["Sec-Fetch-Mode"] = fetch;
            context.Request.Headers["Sec-Purpose"] = fetch;
            context.Request.Headers["Purpose"] = agent;
            var navigation = PageNavigation.IsNavigation(context.Request);
            _ = PageNavigation.AcceptsHtml(accept);
            _ = PageNavigation.IsPrefetch(context.Request.Headers);
            _ = PageNavigation.IsNonNavigationFetch(fetch);
            _ = PageNavigation.IsCrawler(agent);
            _ = PageNavigation.IsStaticAsset(context.Request.Path);
            Assert.False(navigation && method == "POST");
        }, iter: AdversarialInput.Iterations);
}
