using Able.Attribution.Hosting;
using Able.Gateway.Capture;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Transforms;

namespace Able.Gateway.Routing;

/// <summary>
/// The <c>X-Forwarded-For/Proto/Host/Prefix</c> headers the origin receives. From a trusted proxy
/// (<c>Able:Gateway:TrustedProxies</c>, for example a load balancer that ends TLS) the incoming values are kept
/// and the peer is appended to <c>X-Forwarded-For</c>, so the origin sees the real client and scheme; from
/// anyone else the incoming values are replaced (YARP's default), so a client cannot forge them.
/// </summary>
internal static class TrustedForwardedHeaders
{
    public const string ForwardedFor = "X-Forwarded-For";
    public const string ForwardedProto = "X-Forwarded-Proto";
    public const string ForwardedHost = "X-Forwarded-Host";
    public const string ForwardedPrefix = "X-Forwarded-Prefix";

    public static IReverseProxyBuilder AddTrustedForwardedHeaders(this IReverseProxyBuilder proxy) =>
        proxy.AddTransforms(context =>
        {
            context.UseDefaultForwarders = false;
            context.AddRequestTransform(transform =>
            {
                Apply(transform);
                return ValueTask.CompletedTask;
            });
        });

    private static void Apply(RequestTransformContext transform)
    {
        var http = transform.HttpContext;
        var trusted = http.RequestServices.GetRequiredService<ClientAddressResolver>().IsTrustedPeer(http);
        var incoming = http.Request.Headers;
        var peer = ClientAddress.Normalise(http.Connection.RemoteIpAddress)?.ToString() ?? "";

        var forwardedFor = Incoming(incoming, ForwardedFor, trusted);
        Set(transform, ForwardedFor, forwardedFor.Length == 0 ? peer : peer.Length == 0 ? forwardedFor : $"{forwardedFor}, {peer}");
        Set(transform, ForwardedProto, Incoming(incoming, ForwardedProto, trusted) is { Length: > 0 } proto ? proto : http.Request.Scheme);
        Set(transform, ForwardedHost, Incoming(incoming, ForwardedHost, trusted) is { Length: > 0 } host ? host : http.Request.Host.Value ?? "");
        Set(transform, ForwardedPrefix, Incoming(incoming, ForwardedPrefix, trusted) is { Length: > 0 } prefix ? prefix : http.Request.PathBase.Value ?? "");
    }

    private static string Incoming(IHeaderDictionary headers, string name, bool trusted) =>
        trusted && headers.TryGetValue(name, out var values) ? string.Join(", ", values.Where(v => !StringValues.IsNullOrEmpty(v))) : "";

    private static void Set(RequestTransformContext transform, string name, string value)
    {
        transform.ProxyRequest.Headers.Remove(name);
        if (value.Length > 0)
        {
            transform.ProxyRequest.Headers.TryAddWithoutValidation(name, value);
        }
    }
}
