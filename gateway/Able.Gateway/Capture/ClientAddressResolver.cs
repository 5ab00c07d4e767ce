using System.Net;
using Able.Attribution.Configuration;
using Microsoft.Extensions.Options;

namespace Able.Gateway.Capture;

/// <summary><see cref="ClientAddress"/> for the current <c>Able:Gateway:TrustedProxies</c>, rebuilt when the configuration changes.</summary>
public sealed class ClientAddressResolver(IOptionsMonitor<AbleOptions> options)
{
    private Snapshot? current;

    public IPAddress? Resolve(HttpContext context)
    {
        var gateway = options.CurrentValue.Gateway;
        var snapshot = current;
        if (snapshot is null || !ReferenceEquals(snapshot.Options, gateway))
        {
            snapshot = new Snapshot(gateway, ClientAddress.FromCidrs(gateway.TrustedProxies));
            current = snapshot;
        }

        return snapshot.Address.Resolve(context);
    }

    private sealed record Snapshot(GatewayOptions Options, ClientAddress Address);
}
