using Able.Schema.Visitors;

namespace Able.Gateway.Capture;

/// <summary>
/// One capture waiting in the queue for the background writer: the touch, whom it belongs to, the funnel's mark, how
/// long the funnel keeps it, the booking-confirmation links (invitee uuid, email SHA-256) if the page carried them, and
/// the browser's client hints and GA4 session id if it sent them (kept per visitor, like the touch's ip and cookies).
/// </summary>
internal sealed record CaptureRecord(
    string VisitorId,
    string Mark,
    VisitorTouch Touch,
    TimeSpan Retention,
    string? InviteeUuid = null,
    string? EmailHash = null,
    DeviceHints? Device = null,
    string? GaSessionId = null)
{
    /// <summary>The <c>able_capture_total</c> kinds this capture counts as.</summary>
    public IEnumerable<string> Kinds()
    {
        yield return Touch.Kind;
        if (Touch.Ttclid is not null)
        {
            yield return "ttclid";
        }

        if (Touch.Utm is { Count: > 0 })
        {
            yield return "utm";
        }

        if (Touch.GaClientId is not null)
        {
            yield return "ga";
        }

        if (GaSessionId is not null)
        {
            yield return "ga_session";
        }

        if (Device is not null)
        {
            yield return "client_hints";
        }
    }
}
