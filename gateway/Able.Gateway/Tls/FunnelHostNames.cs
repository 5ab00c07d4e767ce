using Able.Schema.Configuration;
using Microsoft.Extensions.Options;

namespace Able.Gateway.Tls;

/// <summary>
/// The host names of every funnel as TLS sees them (no port, lower case, no trailing dot), following configuration
/// reloads: the set is rebuilt only when the options instance changes.
/// </summary>
internal sealed class FunnelHostNames(IOptionsMonitor<AbleOptions> options)
{
    /// <summary>One object, so a handshake never reads the names of one configuration with the options of another.</summary>
    private sealed record Snapshot(AbleOptions? Options, IReadOnlySet<string> Names);

    private volatile Snapshot cached = new(null, new HashSet<string>());

    public IReadOnlySet<string> Current
    {
        get
        {
            var current = options.CurrentValue;
            var snapshot = cached;
            if (ReferenceEquals(snapshot.Options, current))
            {
                return snapshot.Names;
            }

            var names = current.Funnels.SelectMany(funnel => funnel.Hosts).Select(Normalize).ToHashSet(StringComparer.Ordinal);
            cached = new Snapshot(current, names);
            return names;
        }
    }

    /// <summary><c>Shop.Example.com.:8443</c> → <c>shop.example.com</c>; also applied to SNI names.</summary>
    public static string Normalize(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var span = host.AsSpan().Trim();
        if (span.StartsWith("[", StringComparison.Ordinal))
        {
            // An IPv6 literal: keep the brackets' content, drop any port.
            var close = span.IndexOf(']');
            span = close > 0 ? span[1..close] : span;
        }
        else if (span.IndexOf(':') is var colon and >= 0 && span.LastIndexOf(':') == colon)
        {
            span = span[..colon];
        }

        return span.TrimEnd('.').ToString().ToLowerInvariant();
    }
}
