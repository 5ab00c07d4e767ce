using Able.Schema.Configuration;

namespace Able.Gateway.Capture;

/// <summary>
/// Whether the visitor allows capture on this request, per funnel: <c>Sec-GPC: 1</c> (when honoured) or the
/// site's consent cookie holding a denied value switch capture off. Then no cookie is set, nothing is
/// stored and the page is served as usual.
/// </summary>
public static class ConsentDecision
{
    public static bool AllowsCapture(HttpRequest request, ConsentOptions consent)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(consent);
        if (consent.HonorGlobalPrivacyControl && request.Headers["Sec-GPC"].ToString().Trim() == "1")
        {
            return false;
        }

        if (!string.IsNullOrEmpty(consent.CookieName) && request.Cookies[consent.CookieName] is { } value)
        {
            var trimmed = value.Trim();
            return !consent.DeniedValues.Any(denied => string.Equals(denied, trimmed, StringComparison.OrdinalIgnoreCase));
        }

        return true;
    }
}
