using System.Security.Cryptography;
using System.Text;

namespace Able.Schema.Identity;

/// <summary>
/// Normalisation and SHA-256 of contact data as TikTok expects it (the Events API hashing rules). Raw email
/// never leaves this class un-hashed: callers store and log only the hex digests. Phone numbers need
/// libphonenumber and are hashed by the attribution library's <c>PhoneHashing</c>; the gateway only sees emails.
/// </summary>
public static class ContactHashing
{
    /// <summary>Lower-case hex SHA-256 of the UTF-8 bytes.</summary>
    public static string Sha256Hex(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(value), hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>True when the value already is a SHA-256 hex digest (64 hex characters), so it is not hashed again.</summary>
    public static bool IsSha256Hex(string? value) =>
        value is { Length: 64 } && value.All(char.IsAsciiHexDigit);

    /// <summary>Email: trim, lower-case, hash. Already-hashed values are lower-cased and kept. Null when empty or not an email.</summary>
    public static string? HashEmail(string? email)
    {
        var trimmed = email?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return null;
        }

        if (IsSha256Hex(trimmed))
        {
            return trimmed.ToLowerInvariant();
        }

        return trimmed.Contains('@', StringComparison.Ordinal) ? Sha256Hex(trimmed.ToLowerInvariant()) : null;
    }

    /// <summary>external_id: trim, hash (already-hashed values kept).</summary>
    public static string? HashExternalId(string? externalId)
    {
        var trimmed = externalId?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return null;
        }

        return IsSha256Hex(trimmed) ? trimmed.ToLowerInvariant() : Sha256Hex(trimmed);
    }
}
