using Able.Schema.Visitors;

namespace Able.Gateway.Capture;

/// <summary>
/// One capture waiting in the queue for the background writer: the touch, whom it belongs to, the funnel's mark, how
/// long the funnel keeps it, and the booking-confirmation links (invitee uuid, email SHA-256) if the page carried them.
/// </summary>
internal sealed record CaptureRecord(string VisitorId, string Mark, VisitorTouch Touch, TimeSpan Retention, string? InviteeUuid = null, string? EmailHash = null)
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
    }
}
