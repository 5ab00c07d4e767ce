using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Able.Attribution.Signatures;
using Able.FunctionalTests.Capture;
using Able.Schema.Redis;

namespace Able.FunctionalTests.Worker;

/// <summary>
/// What a visitor's browser, Calendly and Stripe send to the gateway in the end-to-end tests (the worker's, the
/// reports', the admin API's, erasure's and the console's): page navigations, signed webhooks to the funnel host, and
/// the fixtures' March 2026 times moved to now (the services run on the system clock).
/// </summary>
internal static partial class GatewayTraffic
{
    public const string UserAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";

    /// <summary>A browser's page request to the funnel host, with the visitor cookie when <paramref name="cookie"/> is set.</summary>
    public static HttpRequestMessage Navigation(GatewayWithOrigin env, string pathAndQuery, string? cookie, string userAgent = UserAgent)
    {
        ArgumentNullException.ThrowIfNull(env);
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(env.Gateway.PublicBase, pathAndQuery));
        request.Headers.Host = "localhost";
        request.Headers.Accept.ParseAdd("text/html");
        request.Headers.UserAgent.ParseAdd(userAgent);
        request.Headers.AcceptLanguage.ParseAdd("de-DE");
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", $"able_vid={cookie}");
        }

        return request;
    }

    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    /// <summary>
    /// A TikTok ad click on a landing page with a Calendly link; returns the visitor id that the decorated link carries
    /// (checked to be the cookie the gateway set in the same response), once the visit is stored.
    /// </summary>
    public static async Task<string> ClickAsync(GatewayWithOrigin env, string ttclid, RedisKeys keys)
    {
        ArgumentNullException.ThrowIfNull(env);
        using var request = Navigation(env, $"/book?ttclid={ttclid}&utm_source=tiktok", cookie: null);
        using var response = await env.Gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cookie = response.Headers.GetValues("Set-Cookie").First(c => c.StartsWith("able_vid=", StringComparison.Ordinal));
        var vid = DecoratedVisitor(await response.Content.ReadAsStringAsync());
        Assert.Equal(cookie["able_vid=".Length..cookie.IndexOf(';', StringComparison.Ordinal)], vid);
        var db = env.Redis.Multiplexer.GetDatabase();
        Assert.True(await Eventually.TrueAsync(async () =>
            (await Schema.Visitors.VisitorProfile.ReadAsync(db, keys, vid))?.ClickTtclid == ttclid, Within), "the click is stored");
        return vid;
    }

    /// <summary>The booking's confirmation page, visited by <paramref name="vid"/>'s browser with the invitee's uuid and email.</summary>
    public static async Task ConfirmationAsync(GatewayWithOrigin env, string vid, string invitee, string email)
    {
        ArgumentNullException.ThrowIfNull(env);
        using var request = Navigation(env, $"/thanks?invitee_uuid={invitee}&invitee_email={Uri.EscapeDataString(email)}", cookie: vid);
        using var response = await env.Gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>A signed webhook sent to the funnel host on the gateway, which forwards it to the attribution service.</summary>
    public static async Task<HttpStatusCode> WebhookAsync(GatewayWithOrigin env, string source, string body, string secret)
    {
        ArgumentNullException.ThrowIfNull(env);
        var bytes = Encoding.UTF8.GetBytes(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(env.Gateway.PublicBase, $"/{source}-webhook/acme"))
        {
            Content = new ByteArrayContent(bytes),
        };
        request.Headers.Host = "localhost";
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation(
            source == "stripe" ? "Stripe-Signature" : "Calendly-Webhook-Signature",
            WebhookSignature.Sign(bytes, secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        using var response = await env.Gateway.Client.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>The visitor id the landing page's decorated Calendly link (<c>id="book"</c>) carries.</summary>
    public static string DecoratedVisitor(string html)
    {
        var link = new Uri(WebUtility.HtmlDecode(DecoratedLink().Match(html).Groups[1].Value));
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(link.Query)["salesforce_uuid"].ToString();
    }

    /// <summary>The fixture's March 2026 timestamps moved to now (the services run on the system clock).</summary>
    public static string Today(string fixture) =>
        FixtureTime().Replace(fixture, DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));

    [GeneratedRegex(@"2026-03-0\dT\d\d:\d\d:\d\d(\.\d+)?Z")]
    private static partial Regex FixtureTime();

    [GeneratedRegex("id=\"book\" href=\"([^\"]+)\"")]
    private static partial Regex DecoratedLink();
}
