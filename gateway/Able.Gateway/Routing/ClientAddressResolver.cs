using System.Net;
using Able.Hosting;
using Able.Schema.Configuration;
using Microsoft.Extensions.Options;

namespace Able.Gateway.Routing;

/// <summary><see cref="ClientAddress"/> for the current <c>Able:Gateway:TrustedProxies</c>, rebuilt when the configuration changes.</summary>
public sealed class ClientAddressResolver(IOptionsMonitor<AbleOptions> options)
{
    private readonly ClientAddressCache cache = new();

    public IPAddress? Resolve(HttpContext context) => Current().Resolve(context);

    /// <summary>True when the socket peer is a trusted proxy, whose <c>X-Forwarded-*</c> headers are believed.</summary>
    public bool IsTrustedPeer(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var peer = context.Connection.RemoteIpAddress;
        return peer is not null && Current().IsTrusted(peer);
    }

    /// <summary>
    /// The scheme the client used: the first <c>X-Forwarded-Proto</c> value from a trusted proxy (a load balancer
    /// that ended TLS), else the request's own.
    /// </summary>
    public string OriginalScheme(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (IsTrustedPeer(context))
        {
            var forwarded = context.Request.Headers["X-Forwarded-Proto"].ToString().Split(',')[0].Trim();
            if (forwarded.Equals("https", StringComparison.OrdinalIgnoreCase) || forwarded.Equals("http", StringComparison.OrdinalIgnoreCase))
            {
                return forwarded.ToLowerInvariant();
            }
        }

        return context.Request.Scheme;
    }

    private ClientAddress Current() => cache.For(options.CurrentValue.Gateway.TrustedProxies);
}
