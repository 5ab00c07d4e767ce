using System.Security.Cryptography;
using System.Text;
using PhoneNumbers;

namespace Able.Attribution.Identity;

/// <summary>
/// Normalisation and SHA-256 of contact data as TikTok expects it (reference: Hashing). Raw email and
/// phone never leave this class un-hashed: callers store and log only the hex digests.
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

    /// <summary>
    /// Phone: E.164 with the leading <c>+</c> (libphonenumber), then hash. A number without a country code
    /// is read in <paramref name="defaultRegion"/> (the funnel's DefaultPhoneRegion). Already-hashed values
    /// are kept. Null when empty or not a possible phone number.
    /// </summary>
    public static string? HashPhone(string? phone, string defaultRegion)
    {
        var trimmed = phone?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return null;
        }

        if (IsSha256Hex(trimmed))
        {
            return trimmed.ToLowerInvariant();
        }

        var e164 = NormalisePhone(trimmed, defaultRegion);
        return e164 is null ? null : Sha256Hex(e164);
    }

    /// <summary>E.164 form (<c>+4915112345678</c>) of a phone number, or null when it cannot be a phone number.</summary>
    public static string? NormalisePhone(string phone, string defaultRegion)
    {
        ArgumentNullException.ThrowIfNull(phone);
        // "(+1)2133734253": libphonenumber reads a '+' only at the start, so drop the brackets around it.
        var cleaned = phone.Trim().Replace("(+", "+", StringComparison.Ordinal);
        if (cleaned.StartsWith('+'))
        {
            cleaned = "+" + cleaned[1..].Replace(")", " ", StringComparison.Ordinal);
        }

        try
        {
            var number = PhoneUtil.Parse(cleaned, defaultRegion);
            if (!PhoneUtil.IsPossibleNumber(number))
            {
                return null;
            }

            // libphonenumber calls some national numbers "possible" that make more than E.164's 15 digits in all
            // (letters are read as keypad digits): such a result is no phone number TikTok could match.
            var e164 = PhoneUtil.Format(number, PhoneNumberFormat.E164);
            return e164.Length <= MaxE164Length ? e164 : null;
        }
        catch (NumberParseException)
        {
            return null;
        }
    }

    /// <summary>'+' and at most 15 digits (ITU-T E.164).</summary>
    private const int MaxE164Length = 16;

    private static readonly PhoneNumberUtil PhoneUtil = PhoneNumberUtil.GetInstance();
}
