using System.Collections.Frozen;

namespace Able.Attribution.Conversions;

/// <summary>TikTok's standard web event names (case-sensitive) and the legacy names they replaced.</summary>
public static class TikTokEventNames
{
    /// <summary>A booking.</summary>
    public const string Schedule = "Schedule";

    /// <summary>A sale.</summary>
    public const string Purchase = "Purchase";

    /// <summary>The standard events TikTok can optimise for (reference: Request, <c>event</c>).</summary>
    public static readonly FrozenSet<string> Standard = FrozenSet.Create(
        StringComparer.Ordinal,
        "AddPaymentInfo", "AddToCart", "AddToWishlist", "ApplicationApproval", "CompleteRegistration", "Contact",
        "CustomizeProduct", "Download", "FindLocation", "InitiateCheckout", "Lead", "Purchase", "Schedule", "Search",
        "StartTrial", "SubmitApplication", "Subscribe", "ViewContent");

    /// <summary>Legacy names that must not be emitted, with the standard name to use instead.</summary>
    public static readonly FrozenDictionary<string, string> LegacyReplacements = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["CompletePayment"] = "Purchase",
        ["PlaceAnOrder"] = "Purchase",
        ["SubmitForm"] = "Lead",
        ["ClickButton"] = "Contact",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Null when <paramref name="name"/> is a standard name, else why not (naming the replacement).</summary>
    public static string? Problem(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Standard.Contains(name))
        {
            return null;
        }

        if (LegacyReplacements.TryGetValue(name, out var replacement))
        {
            return $"'{name}' is a legacy TikTok event name; use '{replacement}' instead";
        }

        var sameButCase = Standard.FirstOrDefault(standard => string.Equals(standard, name, StringComparison.OrdinalIgnoreCase));
        return sameButCase is not null
            ? $"event names are case-sensitive; use '{sameButCase}'"
            : $"must be a TikTok standard event such as Purchase, Schedule, Lead or CompleteRegistration";
    }
}
