using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using PhoneNumbers;

namespace Able.Testing;

/// <summary>
/// The personal data a webhook or conversions-API body carries, found in the JSON itself (not copied by hand), in
/// every form it could be stored in: emails (searched in any case), phone numbers as sent, digits only, E.164 with and
/// without the <c>+</c>, the national number with and without its trunk prefix; invitee and customer names and
/// free-text answers. What must never be found at rest (README, "Privacy: what is stored at rest").
/// </summary>
public static partial class RawContactData
{
    private static readonly HashSet<string> NameKeys = new(StringComparer.Ordinal) { "name", "first_name", "last_name", "customer_name" };

    /// <summary>Every raw value of <paramref name="json"/> that must not be stored, each with its kind (email, phone, name, answer).</summary>
    public static IReadOnlyList<(string Kind, string Value)> In(string json, params string[] phoneRegions)
    {
        var found = new List<(string Kind, string Value)>();
        using var document = JsonDocument.Parse(json);
        Walk(document.RootElement, null, null, found);
        var phones = found.Where(f => f.Kind == "phone").Select(f => f.Value).ToList();
        foreach (var phone in phones)
        {
            found.AddRange(PhoneForms(phone, phoneRegions.Length == 0 ? ["US", "DE"] : phoneRegions).Select(form => ("phone", form)));
        }

        return [.. found.Where(f => f.Value.Trim().Length >= 3).Select(f => (f.Kind, f.Value.Trim())).Distinct()];
    }

    /// <summary>
    /// Whether <paramref name="text"/> holds <paramref name="value"/> of <paramref name="kind"/> (emails and names in any
    /// case), after undoing JSON <c>\uXXXX</c> escapes. A name counts only as a word of its own: a random id such as a
    /// visitor id can hold "dOe" between other letters, which is no stored name.
    /// </summary>
    public static bool Holds(string text, string kind, string value)
    {
        ArgumentNullException.ThrowIfNull(text);
        var unescaped = UnicodeEscape().Replace(text, m => ((char)int.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToString());
        if (kind == "name")
        {
            var word = new Regex($@"(?<![\p{{L}}\p{{N}}]){Regex.Escape(value)}(?![\p{{L}}\p{{N}}])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
            return word.IsMatch(text) || word.IsMatch(unescaped);
        }

        var comparison = kind is "email" ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return text.Contains(value, comparison) || unescaped.Contains(value, comparison);
    }

    private static void Walk(JsonElement element, string? key, string? parentKey, List<(string Kind, string Value)> found)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Walk(property.Value, property.Name, key, found);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Walk(item, key, parentKey, found);
                }

                break;
            case JsonValueKind.String:
                var value = element.GetString()!;
                if (value.Trim().Length == 0 || value == "VISITOR_ID_PLACEHOLDER")
                {
                    break;
                }

                if (EmailLike().IsMatch(value) || key is "email" or "customer_email" or "user_email")
                {
                    found.Add(("email", value));
                }
                else if (key is not null && (key.Contains("phone", StringComparison.Ordinal) || key == "text_reminder_number"))
                {
                    found.Add(("phone", value));
                }
                else if (key == "answer")
                {
                    found.Add(("answer", value));
                    if (PhoneLike().IsMatch(value))
                    {
                        found.Add(("phone", value));
                    }
                }
                else if (key is not null && NameKeys.Contains(key) && parentKey is null or "payload" or "object" or "customer_details")
                {
                    // Only a person's name: a scheduled event's "name" is the event type's title.
                    found.Add(("name", value));
                    found.AddRange(value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(part => ("name", part)));
                }

                break;
        }
    }

    /// <summary>A phone number as sent, digits only, E.164 with and without '+', national number with and without the trunk 0.</summary>
    private static IEnumerable<string> PhoneForms(string phone, string[] regions)
    {
        yield return phone;
        var digits = new string([.. phone.Where(char.IsAsciiDigit)]);
        yield return digits;
        var util = PhoneNumberUtil.GetInstance();
        foreach (var region in regions)
        {
            PhoneNumber number;
            try
            {
                number = util.Parse(phone.Replace("(+", "+", StringComparison.Ordinal), region);
            }
            catch (NumberParseException)
            {
                continue;
            }

            var e164 = util.Format(number, PhoneNumberFormat.E164);
            yield return e164;
            yield return e164[1..];
            var national = number.NationalNumber.ToString(CultureInfo.InvariantCulture);
            yield return national;
            yield return "0" + national;
            yield return util.Format(number, PhoneNumberFormat.NATIONAL);
        }
    }

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailLike();

    [GeneratedRegex(@"^[\s+()\-./\d]{7,}$")]
    private static partial Regex PhoneLike();

    [GeneratedRegex(@"\\u([0-9a-fA-F]{4})")]
    private static partial Regex UnicodeEscape();
}
