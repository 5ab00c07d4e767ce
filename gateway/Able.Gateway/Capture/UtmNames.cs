namespace Able.Gateway.Capture;

/// <summary>
/// The UTM parameters the gateway captures and remembers (<see cref="VisitorCookies.UtmCookieName"/>), and the ones
/// Calendly returns in the webhook's <c>tracking</c>; in the order they are written and appended to Calendly links.
/// </summary>
public static class UtmNames
{
    public static IReadOnlyList<string> All => Able.Schema.Visitors.TouchParameters.UtmNames;
}
