using Able.Schema.Visitors;
namespace Able.Gateway.Capture;

/// <summary>
/// The visitor a funnel request belongs to, as the capture step decided it before the request is
/// proxied: the visitor id (the same value as the cookie set on this response) and the UTMs to carry
/// into Calendly links. Present only when capture ran and consent allows it; absent otherwise, in
/// which case nothing about the visitor may be added to the response.
/// </summary>
public sealed record GatewayVisitor(string Mark, string VisitorId, IReadOnlyDictionary<string, string> Utms)
{
    public static GatewayVisitor? Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<GatewayVisitor>();
    }

    public void AttachTo(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Features.Set(this);
    }
}
