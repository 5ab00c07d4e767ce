using Able.Attribution.Identity;
using Able.Schema.Configuration;

namespace Able.Attribution.Service.ConsolePages;

/// <summary>
/// The "email or phone" field of the journey and erase forms (always POSTed: never in a URL), turned into the hash the
/// stores know at once; the raw value goes no further.
/// </summary>
public static class ContactForm
{
    public const string ContactField = "contact";
    public const string FunnelField = "funnel";

    /// <summary>The person's key; an email when the value has an '@', else a phone read in the chosen funnel's default region.</summary>
    public static (ContactKey? Contact, string? Problem) Read(IFormCollection form, AbleOptions options)
    {
        ArgumentNullException.ThrowIfNull(form);
        ArgumentNullException.ThrowIfNull(options);
        var value = ((string?)form[ContactField])?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return (null, "Type an email address or a phone number.");
        }

        if (value.Contains('@', StringComparison.Ordinal))
        {
            return ContactKey.TryFromEmail(value, out var email, out var emailProblem) ? (email, null) : (null, "That is not an email address.");
        }

        var (funnel, funnelProblem) = ConsoleQuery.Funnel(options, form[FunnelField]);
        if (funnel is null)
        {
            return (null, funnelProblem);
        }

        return ContactKey.TryFromPhone(value, funnel.DefaultPhoneRegion, out var phone, out _)
            ? (phone, null)
            : (null, $"That is neither an email address nor a phone number (numbers without a country code are read as {funnel.DefaultPhoneRegion}).");
    }

    /// <summary>The field, and a funnel choice (for phone numbers without a country code) when there are several funnels.</summary>
    public static HtmlFragment Fields(AbleOptions options, string label)
    {
        ArgumentNullException.ThrowIfNull(options);
        var html = new HtmlBuilder();
        html.Append($"""
            <div class="field"><label for="contact">{label}</label>
            <input id="contact" name="{ContactField}" type="text" inputmode="email" autocomplete="off" spellcheck="false" required size="32"></div>
            """);
        if (options.Funnels.Length > 1)
        {
            html.Append($"<div class=\"field\"><label for=\"contact-funnel\">Funnel (the country of phone numbers without +code)</label><select id=\"contact-funnel\" name=\"{FunnelField}\">{ConsoleQuery.Options(options.Funnels.Select(f => (f.Mark, $"{f.Mark} ({f.DefaultPhoneRegion})")), null)}</select></div>");
        }

        return html.ToFragment();
    }
}
