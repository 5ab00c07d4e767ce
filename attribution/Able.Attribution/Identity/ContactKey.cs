using Able.Schema.Identity;

namespace Able.Attribution.Identity;

/// <summary>
/// A person as the admin API looks them up or erases them: the SHA-256 of their normalised email or E.164 phone,
/// made from the raw value the operator typed (which is never stored or logged).
/// </summary>
public sealed record ContactKey(string Kind, string Sha256)
{
    public const string EmailKind = "email";
    public const string PhoneKind = "phone";

    /// <summary>An email written with any case or surrounding spaces; false with the problem when it is not an email.</summary>
    public static bool TryFromEmail(string? email, out ContactKey? key, out string? problem)
    {
        key = null;
        problem = null;
        var hash = ContactHashing.HashEmail(email);
        if (hash is null)
        {
            problem = "email is not an email address";
            return false;
        }

        key = new ContactKey(EmailKind, hash);
        return true;
    }

    /// <summary>A phone number in any common writing; numbers without a country code are read in <paramref name="defaultRegion"/>.</summary>
    public static bool TryFromPhone(string? phone, string defaultRegion, out ContactKey? key, out string? problem)
    {
        key = null;
        problem = null;
        var hash = PhoneHashing.HashPhone(phone, defaultRegion);
        if (hash is null)
        {
            problem = "phone is not a phone number";
            return false;
        }

        key = new ContactKey(PhoneKind, hash);
        return true;
    }
}
