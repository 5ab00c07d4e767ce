using System.Net;
using Able.Gateway.Routing;
using Able.Schema.Configuration;
using Able.Schema.Identity;
using Able.Schema.Visitors;
using Microsoft.Net.Http.Headers;

namespace Able.Gateway.Capture;

/// <summary>
/// Reads one funnel request into a capture: decides the visitor (cookie or new id), sets the visitor and UTM
/// cookies on the response, attaches <see cref="GatewayVisitor"/> for response transforms, and queues the
/// touch for the Redis writer, within the <see cref="CaptureBudget"/>. Never touches Redis and never throws for
/// bad input: a bad value is dropped and counted.
/// </summary>
internal sealed class VisitorCapture(CaptureQueue queue, CaptureBudget budget, CaptureMetrics metrics, ClientAddressResolver clientAddress, TimeProvider time)
{
    public const string PageView = "pageview";
    public const string Link = "link";
    public const string Confirmation = "confirmation";

    /// <summary>
    /// Captures the request when consent allows it and returns the visitor attached to it; null when capture is
    /// off for this request (no cookie set, nothing stored): refused consent, or a new visitor over its client's
    /// budget. A known visitor over its own budget keeps its cookie and decoration; only the touch is not stored.
    /// </summary>
    public GatewayVisitor? Capture(HttpContext context, FunnelOptions funnel, string kind)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(funnel);
        var request = context.Request;
        if (!ConsentDecision.AllowsCapture(request, funnel.Consent))
        {
            return null;
        }

        var client = clientAddress.Resolve(context);
        if (Admit(VisitorCookies.ReadVisitorId(request, funnel.Cookie), client) is not (string visitorId, bool store))
        {
            return null;
        }

        var requestUtms = ReadUtms(request);
        var utms = requestUtms.Count > 0 ? requestUtms : VisitorCookies.ReadUtms(request);
        SetCookies(context.Response, visitorId, requestUtms, funnel.Cookie);

        var visitor = new GatewayVisitor(funnel.Mark, visitorId, utms);
        visitor.AttachTo(context);
        if (!store)
        {
            metrics.Dropped(CaptureMetrics.Budget);
            return visitor;
        }

        var inviteeUuid = Param(request, "invitee_uuid", CaptureValue.MaxIdLength);
        if (inviteeUuid is not null && !IsInviteeUuid(inviteeUuid))
        {
            metrics.Dropped("value_invalid_invitee_uuid");
            inviteeUuid = null;
        }

        // The email is hashed here and never kept raw (nor in the stored URL: LandingUrl scrubs it).
        var emailHash = ContactHashing.HashEmail(Param(request, "invitee_email", CaptureValue.MaxIdLength));
        if (inviteeUuid is not null || emailHash is not null)
        {
            kind = Confirmation;
        }

        var touch = new VisitorTouch
        {
            Kind = kind,
            At = time.GetUtcNow().ToUnixTimeMilliseconds(),
            Url = LandingUrl.Of(request, clientAddress.OriginalScheme(context)),
            Referrer = StoredUrl.Scrub(Header(request, HeaderNames.Referer, CaptureValue.MaxUrlLength)),
            Ip = client?.ToString(),
            UserAgent = Header(request, HeaderNames.UserAgent, CaptureValue.MaxUserAgentLength),
            AcceptLanguage = Able.Schema.Visitors.AcceptLanguage.Primary(Header(request, HeaderNames.AcceptLanguage, CaptureValue.MaxLanguageLength)),
            Ttclid = ClickId(request, "ttclid"),
            Ttp = Counted(CaptureValue.CleanToken(request.Cookies["_ttp"], CaptureValue.MaxCookieIdLength)),
            GaClientId = GaClientId.FromCookie(request.Cookies["_ga"]),
            Utm = requestUtms.Count > 0 ? requestUtms : null,
            ClickIds = ReadClickIds(request),
        };

        var device = DeviceHintHeaders.Read(request.Headers, metrics.ValueRejected);
        var gaSessionId = GaSessionId.CookieName(funnel) is { } sessionCookie ? GaSessionId.FromCookie(request.Cookies[sessionCookie]) : null;
        queue.TryEnqueue(new CaptureRecord(visitorId, funnel.Mark, touch, TimeSpan.FromDays(funnel.RetentionDays), inviteeUuid, emailHash, device, gaSessionId));
        return visitor;
    }

    /// <summary>
    /// The visitor within the <see cref="CaptureBudget"/>: the cookie's, whose touch is stored while its own budget
    /// lasts, or a new id when its client may still create one; null (counted) when it may not.
    /// </summary>
    private (string VisitorId, bool Store)? Admit(string? cookieVisitorId, IPAddress? client)
    {
        if (cookieVisitorId is not null)
        {
            return (cookieVisitorId, budget.AdmitsCapture(client, cookieVisitorId));
        }

        var visitorId = VisitorId.New();
        if (!budget.AdmitsNewVisitor(client, visitorId))
        {
            metrics.Dropped(CaptureMetrics.Budget);
            return null;
        }

        return (visitorId, true);
    }

    private static void SetCookies(HttpResponse response, string visitorId, Dictionary<string, string> requestUtms, VisitorCookieOptions options)
    {
        var visitorCookie = VisitorCookies.VisitorCookieHeader(visitorId, options);
        var utmCookie = requestUtms.Count > 0 ? VisitorCookies.UtmCookieHeader(requestUtms, options) : null;
        // Appended when the response starts, after the proxy copied the origin's headers (its own Set-Cookie stays).
        // A response that names a visitor (cookie, decorated links) must never be served to someone else by a
        // shared cache, so it is private whatever the origin said.
        response.OnStarting(() =>
        {
            response.Headers.CacheControl = VisitorCookies.PrivateCacheControl(response.Headers.CacheControl);
            response.Headers.Append(HeaderNames.SetCookie, visitorCookie);
            if (utmCookie is not null)
            {
                response.Headers.Append(HeaderNames.SetCookie, utmCookie);
            }

            return Task.CompletedTask;
        });
    }

    private Dictionary<string, string> ReadUtms(HttpRequest request)
    {
        var utms = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in TouchParameters.UtmNames)
        {
            if (Param(request, name, CaptureValue.MaxIdLength) is { } value)
            {
                utms[name] = value;
            }
        }

        return utms;
    }

    private Dictionary<string, string>? ReadClickIds(HttpRequest request)
    {
        Dictionary<string, string>? ids = null;
        foreach (var name in TouchParameters.ClickIdNames)
        {
            if (ClickId(request, name) is { } value)
            {
                (ids ??= new(StringComparer.Ordinal))[name] = value;
            }
        }

        return ids;
    }

    private string? Param(HttpRequest request, string name, int maxLength) =>
        Counted(CaptureValue.CleanQueryValue(QueryValue(request, name), maxLength));

    private string? ClickId(HttpRequest request, string name) => Counted(CaptureValue.CleanToken(QueryValue(request, name), CaptureValue.MaxIdLength));

    private static string? QueryValue(HttpRequest request, string name) =>
        request.Query.TryGetValue(name, out var values) && values.Count > 0 ? values[0] : null;

    private string? Header(HttpRequest request, string name, int maxLength) =>
        Clean(request.Headers.TryGetValue(name, out var values) && values.Count > 0 ? values[0] : null, maxLength);

    private string? Clean(string? raw, int maxLength) => Counted(CaptureValue.Clean(raw, maxLength));

    private string? Counted((string? Value, CaptureValueProblem Problem) cleaned)
    {
        var (value, problem) = cleaned;
        if (problem != CaptureValueProblem.None)
        {
            metrics.ValueRejected(problem);
        }

        return value;
    }

    private static bool IsInviteeUuid(string value) =>
        value.Length <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');
}
