using System.Runtime.CompilerServices;

namespace Able.Hosting;

/// <summary>
/// One <see cref="ClientAddress"/> per trusted-proxy list, so the CIDRs are parsed once per options snapshot and
/// not per request. The list instance is the key: options snapshots are immutable and a configuration reload binds
/// new lists, so a reload gets a new <see cref="ClientAddress"/>, and one whose snapshot is gone is collected with it.
/// The gateway keys it by <c>Able:Gateway:TrustedProxies</c>, the attribution service's ingress by
/// <c>Able:Attribution:Ingress:TrustedProxies</c> with loopback always trusted (the gateway beside it forwards the client).
/// </summary>
public sealed class ClientAddressCache
{
    private readonly string[] alwaysTrusted;
    private readonly ConditionalWeakTable<IReadOnlyList<string>, ClientAddress> byList = new();

    /// <param name="alwaysTrusted">CIDRs trusted in addition to every configured list.</param>
    public ClientAddressCache(params string[] alwaysTrusted)
    {
        ArgumentNullException.ThrowIfNull(alwaysTrusted);
        this.alwaysTrusted = [.. alwaysTrusted];
    }

    /// <summary>The <see cref="ClientAddress"/> trusting <paramref name="trustedProxies"/> (CIDRs) and the always-trusted ones.</summary>
    public ClientAddress For(IReadOnlyList<string> trustedProxies)
    {
        ArgumentNullException.ThrowIfNull(trustedProxies);
        return byList.GetValue(trustedProxies, list => ClientAddress.FromCidrs([.. alwaysTrusted, .. list]));
    }
}
