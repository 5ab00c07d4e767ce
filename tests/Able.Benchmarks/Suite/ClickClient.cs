using System.Net.Http.Headers;

namespace Able.Benchmarks.Suite;

/// <summary>
/// Sends the bench's page requests one at a time from C# (where a count matters more than a rate): an ad click
/// like the click scenario's, which returns the visitor id the gateway set (the able_vid cookie), and later pages of
/// that visitor with its cookie.
/// </summary>
internal sealed class ClickClient(string gatewayUrl) : IDisposable
{
    public const string PhoneUserAgent = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

    private readonly HttpClient http = new(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, MaxConnectionsPerServer = 64 })
    {
        BaseAddress = new Uri(gatewayUrl),
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>An ad click with this ttclid; returns the able_vid the gateway set.</summary>
    public async Task<string> ClickAsync(string ttclid, CancellationToken cancellationToken)
    {
        using var request = Page($"/?ttclid={Uri.EscapeDataString(ttclid)}&utm_source=tiktok&utm_medium=paid&utm_campaign=spring_sale&utm_content=video_a", null);
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        foreach (var cookie in response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [])
        {
            if (cookie.StartsWith("able_vid=", StringComparison.Ordinal))
            {
                return cookie["able_vid=".Length..cookie.IndexOf(';', StringComparison.Ordinal)];
            }
        }

        throw new InvalidOperationException("the gateway set no able_vid cookie on an ad click (is capture on for the bench funnel?)");
    }

    /// <summary>A later page of a visitor, with its cookie.</summary>
    public async Task PageAsync(string path, string visitorId, CancellationToken cancellationToken)
    {
        using var request = Page(path, visitorId);
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public void Dispose() => http.Dispose();

    private static HttpRequestMessage Page(string path, string? visitorId)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("User-Agent", PhoneUserAgent);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        request.Headers.AcceptLanguage.Add(new StringWithQualityHeaderValue("en-US"));
        if (visitorId is not null)
        {
            request.Headers.Add("Cookie", "able_vid=" + visitorId);
        }

        return request;
    }
}
