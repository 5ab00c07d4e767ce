using Able.Gateway.Capture;
using Microsoft.AspNetCore.Http;

namespace Able.Tests.Capture;

public sealed class PageNavigationTests
{
    private const string Safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
    private const string Html = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

    [Theory]
    [InlineData("Mozilla/5.0 (Googlebot/2.1; +http://www.google.com/bot.html)", true)]
    [InlineData("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", true)]
    [InlineData("AdsBot-Google (+http://www.google.com/adsbot.html)", true)]
    [InlineData("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", true)]
    [InlineData("Twitterbot/1.0", true)]
    [InlineData("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", true)]
    [InlineData("WhatsApp/2.23.20.0", true)]
    [InlineData("TelegramBot (like TwitterBot)", true)]
    [InlineData("Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", true)]
    [InlineData("LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)", true)]
    [InlineData("Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)", true)]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36", true)]
    // curl sends Accept: */* unless told otherwise, so it is not captured anyway; with Accept: text/html it is a person trying the gateway.
    [InlineData("curl/8.5.0", false)]
    [InlineData("python-requests/2.31.0", true)]
    [InlineData("Go-http-client/1.1", true)]
    [InlineData("", true)]
    [InlineData(null, true)]
    [InlineData(Safari, false)]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 musical_ly_34.1.0 BytedanceWebview/d8a21c6", false)]
    [InlineData("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36 trill_340104 BytedanceWebview/d8a21c6", false)]
    [InlineData("Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36", false)]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0", false)]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 320.0.2.34.90", false)]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [LinkedInApp]/9.29.6", false)]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [Pinterest/iOS]", false)]
    [InlineData("Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36 Telegram-Android/10.5.0", false)]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/450.0]", false)]
    [InlineData("Pinterestbot/1.0", true)]
    public void Crawlers_and_link_previews_are_recognised(string? userAgent, bool crawler) =>
        Assert.Equal(crawler, PageNavigation.IsCrawler(userAgent));

    [Theory]
    [InlineData("GET", "/", Html, Safari, null, null, null, true)]
    // HEAD is what monitors, link checkers and floods send; a browser navigation is a GET.
    [InlineData("HEAD", "/landing", "text/html", Safari, null, null, null, false)]
    [InlineData("GET", "/blog/post.html", Html, Safari, null, null, null, true)]
    [InlineData("GET", "/about", Html, Safari, null, null, "navigate", true)]
    [InlineData("POST", "/", Html, Safari, null, null, null, false)]
    [InlineData("PUT", "/", Html, Safari, null, null, null, false)]
    [InlineData("GET", "/", "*/*", Safari, null, null, null, false)]
    [InlineData("GET", "/", "application/json", Safari, null, null, null, false)]
    [InlineData("GET", "/", null, Safari, null, null, null, false)]
    [InlineData("GET", "/", Html, Safari, "prefetch", null, null, false)]
    [InlineData("GET", "/", Html, Safari, "prefetch;prerender", null, null, false)]
    [InlineData("GET", "/", Html, Safari, null, "prefetch", null, false)]
    [InlineData("GET", "/", Html, Safari, null, null, "cors", false)]
    [InlineData("GET", "/", Html, Safari, null, null, "no-cors", false)]
    [InlineData("GET", "/", Html, "Twitterbot/1.0", null, null, null, false)]
    [InlineData("GET", "/assets/app.js", Html, Safari, null, null, null, false)]
    [InlineData("GET", "/styles/site.CSS", Html, Safari, null, null, null, false)]
    [InlineData("GET", "/favicon.ico", Html, Safari, null, null, null, false)]
    [InlineData("GET", "/img/hero.webp", Html, Safari, null, null, null, false)]
    [InlineData("GET", "/fonts/a.woff2", Html, Safari, null, null, null, false)]
    [InlineData("GET", "/sitemap.xml", Html, Safari, null, null, null, false)]
    [InlineData("GET", "/v1.2/pricing", Html, Safari, null, null, null, true)]
    public void Only_page_navigations_are_captured(
        string method, string path, string? accept, string userAgent, string? secPurpose, string? purpose, string? fetchMode, bool navigation)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        context.Request.Headers.UserAgent = userAgent;
        if (accept is not null)
        {
            context.Request.Headers.Accept = accept;
        }

        if (secPurpose is not null)
        {
            context.Request.Headers["Sec-Purpose"] = secPurpose;
        }

        if (purpose is not null)
        {
            context.Request.Headers["Purpose"] = purpose;
        }

        if (fetchMode is not null)
        {
            context.Request.Headers["Sec-Fetch-Mode"] = fetchMode;
        }

        Assert.Equal(navigation, PageNavigation.IsNavigation(context.Request));
    }
}
