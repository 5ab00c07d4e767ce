using System.Collections.Frozen;
using System.Net.Http.Headers;
using Able.Hosting;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Transforms;

namespace Able.Gateway.Routing;

/// <summary>
/// What the origin is told about the client and the original request. Every header in
/// <see cref="ForwardingHeaders"/> is believed only from a trusted proxy (<c>Able:Gateway:TrustedProxies</c>, for
/// example a load balancer that ends TLS): from it they pass on, and the peer is appended to
/// <c>X-Forwarded-For</c>; from anyone else they are all removed, so a visitor cannot forge its address, scheme,
/// host or URL to the origin. Either way the origin gets the gateway's <c>X-Forwarded-For/Proto/Host/Prefix</c>.
/// The gateway does not write <c>Forwarded</c> (RFC 7239): <c>X-Forwarded-*</c> is the one account it gives, so
/// an origin never sees two that disagree. <see cref="MethodOverrideHeaders"/> are removed on methods without a
/// body, whoever sent them.
/// </summary>
internal static class TrustedForwardedHeaders
{
    public const string ForwardedFor = "X-Forwarded-For";
    public const string ForwardedProto = "X-Forwarded-Proto";
    public const string ForwardedHost = "X-Forwarded-Host";
    public const string ForwardedPrefix = "X-Forwarded-Prefix";

    /// <summary>
    /// Headers by which a proxy vouches for the client's address, scheme, host or original URL, as origins,
    /// frameworks and libraries read them. Only a trusted proxy's are passed on.
    /// </summary>
    public static readonly IReadOnlyList<string> ForwardingHeaders =
    [
        // RFC 7239 and the de-facto X-Forwarded-* family (the first four are then set by the gateway).
        "Forwarded", ForwardedFor, ForwardedProto, ForwardedHost, ForwardedPrefix,
        "X-Forwarded-Port", "X-Forwarded-Scheme", "X-Forwarded-Ssl", "Front-End-Https", "X-Forwarded-Server",
        "X-Forwarded", "Forwarded-For", "X-Original-Forwarded-For",
        // The client's address as nginx, CDNs and cloud load balancers pass it (IP allow-lists, rate limits, logs).
        "X-Real-IP", "True-Client-IP", "X-Client-IP", "X-Cluster-Client-IP", "CF-Connecting-IP", "Fastly-Client-IP", "X-ProxyUser-Ip",
        // The URL or host before a proxy rewrote it (IIS/Symfony/Zend routing, host-based links and redirects).
        "X-Original-URL", "X-Rewrite-URL", "X-Original-Host", "X-Host",
    ];

    /// <summary>
    /// Headers that make frameworks (Express, Laravel, Symfony, ASP.NET ...) treat a request as another method. On
    /// GET/HEAD/OPTIONS/TRACE they would turn a request any page can trigger and any cache may store into a write or
    /// an error served to everyone ("method override" cache poisoning), so they are removed there, even from a trusted
    /// proxy (it relays them from the client, it does not vouch for them). On POST they are left for the site's own
    /// scripts that tunnel PUT/PATCH/DELETE that way.
    /// </summary>
    public static readonly IReadOnlyList<string> MethodOverrideHeaders = ["X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override"];

    public static IReverseProxyBuilder AddTrustedForwardedHeaders(this IReverseProxyBuilder proxy) =>
        proxy.AddTransforms(context =>
        {
            context.UseDefaultForwarders = false;
            var clientAddress = context.Services.GetRequiredService<ClientAddressResolver>();
            context.AddRequestTransform(transform =>
            {
                Apply(transform, clientAddress);
                return ValueTask.CompletedTask;
            });
        });

    /// <summary>The headers <see cref="RemoveUnvouched"/> may remove, for a look-up per incoming header.</summary>
    private static readonly FrozenSet<string> Removable =
        ForwardingHeaders.Concat(MethodOverrideHeaders).ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private static void Apply(RequestTransformContext transform, ClientAddressResolver clientAddress)
    {
        var http = transform.HttpContext;
        var trusted = clientAddress.IsTrustedPeer(http);
        // YARP copied the client's headers to the proxy request: only those can need removing (most requests have none).
        if (HasRemovable(http.Request.Headers))
        {
            RemoveUnvouched(transform.ProxyRequest.Headers, http.Request.Method, trusted);
        }

        var incoming = http.Request.Headers;
        var peer = ClientAddress.Normalise(http.Connection.RemoteIpAddress)?.ToString() ?? "";

        var forwardedFor = Incoming(incoming, ForwardedFor, trusted);
        Set(transform, ForwardedFor, forwardedFor.Length == 0 ? peer : peer.Length == 0 ? forwardedFor : $"{forwardedFor}, {peer}");
        Set(transform, ForwardedProto, Incoming(incoming, ForwardedProto, trusted) is { Length: > 0 } proto ? proto : http.Request.Scheme);
        Set(transform, ForwardedHost, Incoming(incoming, ForwardedHost, trusted) is { Length: > 0 } host ? host : http.Request.Host.Value ?? "");
        Set(transform, ForwardedPrefix, Incoming(incoming, ForwardedPrefix, trusted) is { Length: > 0 } prefix ? prefix : http.Request.PathBase.Value ?? "");
    }

    /// <summary>Removes the forwarding headers from an untrusted peer and the method overrides on bodiless methods.</summary>
    public static void RemoveUnvouched(HttpRequestHeaders proxyRequest, string method, bool trustedPeer)
    {
        ArgumentNullException.ThrowIfNull(proxyRequest);
        if (!trustedPeer)
        {
            foreach (var name in ForwardingHeaders)
            {
                proxyRequest.Remove(name);
            }
        }

        if (BodyOnBodilessMethod.IsBodilessMethod(method))
        {
            foreach (var name in MethodOverrideHeaders)
            {
                proxyRequest.Remove(name);
            }
        }
    }

    private static bool HasRemovable(IHeaderDictionary headers)
    {
        foreach (var header in headers)
        {
            if (Removable.Contains(header.Key))
            {
                return true;
            }
        }

        return false;
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
