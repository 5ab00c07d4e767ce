namespace Able.Gateway.Capture;

/// <summary>
/// The UTM parameters the gateway captures and remembers (<see cref="VisitorCookies.UtmCookieName"/>), and the ones
/// Calendly returns in the webhook's <c>tracking</c>; in the order they are written and appended to Calendly links.
/// </summary>
public static class UtmNames
{
    public static readonly IReadOnlyList<string> All = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"];
}
