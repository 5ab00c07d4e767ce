using System.Security.Cryptography;
using System.Text;
using Able.Schema.Configuration;
using Microsoft.Extensions.Options;

namespace Able.Attribution.Service.Admin;

/// <summary>The configured admin token (<c>Able:Admin:Token</c>), compared in constant time; null token: admin off.</summary>
public sealed class AdminToken(IOptionsMonitor<AbleOptions> options)
{
    public bool Enabled => !string.IsNullOrEmpty(options.CurrentValue.Admin.Token);

    /// <summary>True when <paramref name="presented"/> is the configured token (false when admin is off).</summary>
    public bool Matches(ReadOnlySpan<char> presented)
    {
        var token = options.CurrentValue.Admin.Token;
        if (string.IsNullOrEmpty(token))
        {
            return false;
        }

        // Both sides hashed first: the comparison then takes the same time whatever the presented length.
        Span<byte> expected = stackalloc byte[SHA256.HashSizeInBytes];
        Span<byte> actual = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(token), expected);
        var presentedBytes = Encoding.UTF8.GetBytes(presented.ToArray());
        SHA256.HashData(presentedBytes, actual);
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }
}
