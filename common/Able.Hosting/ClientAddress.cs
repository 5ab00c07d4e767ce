using System.Net;
using Microsoft.AspNetCore.Http;

namespace Able.Hosting;

/// <summary>
/// The client's IP address: the socket peer, unless the peer is a trusted proxy (a configured CIDR, such as
/// <c>Able:Gateway:TrustedProxies</c>); then <c>X-Forwarded-For</c> is read from the right, skipping trusted
/// hops, and the first untrusted address is the client. A client cannot forge its address by sending
/// <c>X-Forwarded-For</c> itself, because an untrusted peer's header is ignored.
/// </summary>
public sealed class ClientAddress(IReadOnlyList<IPNetwork> trustedProxies)
{
    public static ClientAddress FromCidrs(IEnumerable<string> cidrs)
    {
        ArgumentNullException.ThrowIfNull(cidrs);
        return new ClientAddress([.. cidrs.Select(c => IPNetwork.Parse(c))]);
    }

    public IPAddress? Resolve(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Resolve(context.Connection.RemoteIpAddress, context.Request.Headers["X-Forwarded-For"]);
    }

    public IPAddress? Resolve(IPAddress? peer, string? forwardedFor)
    {
        var client = Normalise(peer);
        if (client is null || !IsTrusted(client) || string.IsNullOrWhiteSpace(forwardedFor))
        {
            return client;
        }

        var hops = forwardedFor.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        for (var i = hops.Length - 1; i >= 0; i--)
        {
            if (!TryParseHop(hops[i], out var hop))
            {
                // A garbled hop: everything left of it is unverifiable, keep the last address we could trust.
                return client;
            }

            client = hop;
            if (!IsTrusted(hop))
            {
                return hop;
            }
        }

        return client;
    }

    public bool IsTrusted(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        address = Normalise(address)!;
        foreach (var network in trustedProxies)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    private static bool TryParseHop(string hop, out IPAddress address)
    {
        // Accept "1.2.3.4", "1.2.3.4:5678", "[2001:db8::1]" and "[2001:db8::1]:443"; nothing else (the parser
        // alone would also take shorthand such as "1234" or "1.2" as IPv4).
        if ((IPAddress.TryParse(hop, out var parsed) || (IPEndPoint.TryParse(hop, out var endpoint) && (parsed = endpoint.Address) is not null))
            && (parsed.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || hop.Count(c => c == '.') == 3))
        {
            address = Normalise(parsed)!;
            return true;
        }

        address = IPAddress.None;
        return false;
    }

    /// <summary>An IPv4 client seen through a dual-stack socket (<c>::ffff:1.2.3.4</c>) as plain IPv4.</summary>
    public static IPAddress? Normalise(IPAddress? address) =>
        address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;
}
