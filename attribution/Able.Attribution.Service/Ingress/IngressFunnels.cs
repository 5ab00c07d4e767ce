using System.Security.Cryptography;
using System.Text;
using Able.Hosting.Configuration;
using Able.Schema.Configuration;
using Microsoft.Extensions.Options;

namespace Able.Attribution.Service.Ingress;

/// <summary>
/// The funnels and ingress limits in force. Follows configuration reloads; a reload that fails validation
/// keeps the last valid configuration (<see cref="LastValidOptionsMonitor"/>) instead of failing deliveries.
/// </summary>
internal sealed class IngressFunnels(IOptionsMonitor<AbleOptions> monitor)
{
    public AbleOptions Current => monitor.CurrentValue;

    public IngressOptions Limits => Current.Attribution.Ingress;

    /// <summary>The funnel with this mark (<see cref="AbleOptions.FindFunnel"/>).</summary>
    public FunnelOptions? Find(string? mark) => Current.FindFunnel(mark);

    /// <summary>The funnel whose API key this is, compared in constant time against every funnel.</summary>
    public FunnelOptions? FindByApiKey(string presentedKey)
    {
        FunnelOptions? owner = null;
        foreach (var funnel in Current.Funnels)
        {
            if (ApiKeyMatches(funnel, presentedKey) && owner is null)
            {
                owner = funnel;
            }
        }

        return owner;
    }

    /// <summary>
    /// Constant time in the content and the length of both keys: the SHA-256 digests are compared, so a
    /// wrong guess learns neither a prefix nor the key's length.
    /// </summary>
    public static bool ApiKeyMatches(FunnelOptions funnel, string presentedKey)
    {
        ArgumentNullException.ThrowIfNull(funnel);
        if (string.IsNullOrEmpty(funnel.ApiKey) || string.IsNullOrEmpty(presentedKey))
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[32];
        Span<byte> presented = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(funnel.ApiKey), expected);
        SHA256.HashData(Encoding.UTF8.GetBytes(presentedKey), presented);
        return CryptographicOperations.FixedTimeEquals(expected, presented);
    }
}
