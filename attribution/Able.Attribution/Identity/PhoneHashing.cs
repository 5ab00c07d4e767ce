using Able.Schema.Identity;
using PhoneNumbers;

namespace Able.Attribution.Identity;

/// <summary>Phone numbers as TikTok expects them: E.164 with the leading <c>+</c>, then SHA-256. Raw numbers are never kept.</summary>
public static class PhoneHashing
{
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

        if (ContactHashing.IsSha256Hex(trimmed))
        {
            return trimmed.ToLowerInvariant();
        }

        var e164 = NormalisePhone(trimmed, defaultRegion);
        return e164 is null ? null : ContactHashing.Sha256Hex(e164);
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
