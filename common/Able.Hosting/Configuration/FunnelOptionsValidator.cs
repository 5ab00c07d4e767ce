using System.Text.RegularExpressions;
using Able.Schema.Configuration;

namespace Able.Hosting.Configuration;

/// <summary><c>Able:Funnels</c>, validated by both services: each funnel, and marks and hosts unique across funnels.</summary>
public sealed partial class FunnelOptionsValidator : IAbleOptionsSectionValidator
{
    public string Section => nameof(AbleOptions.Funnels);

    public void Validate(AbleOptions options, ICollection<string> errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        var funnels = options.Funnels;
        var root = OptionsRules.KeyOf(Section);
        if (funnels.Length == 0)
        {
            errors.Add($"{root} must list at least one funnel");
        }

        var marks = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var hosts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < funnels.Length; i++)
        {
            var path = $"{root}:{i}";
            var funnel = funnels[i];
            if (!MarkPattern().IsMatch(funnel.Mark))
            {
                errors.Add($"{path}:Mark must be 1-40 characters of a-z, 0-9, '-' or '_' (got '{funnel.Mark}')");
            }
            else if (!marks.Add(funnel.Mark))
            {
                errors.Add($"{path}:Mark '{funnel.Mark}' is used by another funnel");
            }

            ValidateHosts(path, funnel.Hosts, hosts, errors);
            OptionsRules.RequireAbsoluteHttpUrl($"{path}:Origin", funnel.Origin, errors);
            OptionsRules.RequireBetween($"{path}:RetentionDays", funnel.RetentionDays, 1, 3650, errors);
            if (!RegionPattern().IsMatch(funnel.DefaultPhoneRegion))
            {
                errors.Add($"{path}:DefaultPhoneRegion must be a two-letter country code such as US or DE");
            }

            ValidateTikTok($"{path}:TikTok", funnel.TikTok, errors);
            ValidateCalendly($"{path}:Calendly", funnel.Calendly, errors);
            ValidateCookie($"{path}:Cookie", funnel.Cookie, errors);
            if (funnel.Consent.CookieName is { } consentCookie && !CookieNamePattern().IsMatch(consentCookie))
            {
                errors.Add($"{path}:Consent:CookieName is not a valid cookie name");
            }

            if (funnel.Ga4 is { } ga4 && (string.IsNullOrWhiteSpace(ga4.MeasurementId) || string.IsNullOrWhiteSpace(ga4.ApiSecret)))
            {
                errors.Add($"{path}:Ga4 needs both MeasurementId and ApiSecret, or leave the section out");
            }
            else if (funnel.Ga4 is { } measured && !Ga4MeasurementIdPattern().IsMatch(measured.MeasurementId))
            {
                errors.Add($"{path}:Ga4:MeasurementId must look like G-XXXXXXXXXX (a GA4 web stream's measurement id)");
            }

            foreach (var (linkName, url) in funnel.Links)
            {
                if (!LinkNamePattern().IsMatch(linkName))
                {
                    errors.Add($"{path}:Links:{linkName} is not a usable link name (a-z, 0-9, '-', '_')");
                }

                OptionsRules.RequireAbsoluteHttpUrl($"{path}:Links:{linkName}", url, errors);
            }
        }
    }

    private static void ValidateHosts(string path, string[] funnelHosts, Dictionary<string, string> seen, ICollection<string> errors)
    {
        if (funnelHosts.Length == 0)
        {
            errors.Add($"{path}:Hosts must not be empty");
        }

        for (var h = 0; h < funnelHosts.Length; h++)
        {
            var host = funnelHosts[h];
            if (string.IsNullOrWhiteSpace(host) || Uri.CheckHostName(host.Split(':')[0]) == UriHostNameType.Unknown
                || host.Contains('/', StringComparison.Ordinal))
            {
                errors.Add($"{path}:Hosts:{h} must be a host name such as book.example.com (got '{host}')");
            }
            else if (!seen.TryAdd(host, path))
            {
                errors.Add($"{path}:Hosts:{h} '{host}' is already used by {seen[host]}");
            }
        }
    }

    private static void ValidateTikTok(string path, TikTokFunnelOptions tikTok, ICollection<string> errors)
    {
        if (tikTok.ClickWindowDays is < 1 or > 28)
        {
            errors.Add($"{path}:ClickWindowDays must be between 1 and 28 (TikTok's longest click window)");
        }

        if (!string.IsNullOrEmpty(tikTok.AccessToken) && string.IsNullOrWhiteSpace(tikTok.PixelId))
        {
            errors.Add($"{path}:PixelId must be set when {path}:AccessToken is set");
        }
    }

    private static void ValidateCalendly(string path, CalendlyFunnelOptions calendly, ICollection<string> errors)
    {
        if (!CarrierPattern().IsMatch(calendly.CarrierParam))
        {
            errors.Add($"{path}:CarrierParam must be a query parameter name such as salesforce_uuid or utm_term");
        }

        if (calendly.SubscriptionScope is not ("organization" or "user"))
        {
            errors.Add($"{path}:SubscriptionScope must be organization or user");
        }

        if (calendly.WebhookUrl is not null)
        {
            OptionsRules.RequireAbsoluteHttpUrl($"{path}:WebhookUrl", calendly.WebhookUrl, errors);
        }

        if (calendly.DefaultBookingValue is < 0)
        {
            errors.Add($"{path}:DefaultBookingValue must not be negative");
        }

        if (calendly.DefaultBookingValue is not null && !CurrencyPattern().IsMatch(calendly.DefaultBookingCurrency ?? ""))
        {
            errors.Add($"{path}:DefaultBookingCurrency must be an ISO 4217 code such as USD when DefaultBookingValue is set");
        }
    }

    private static void ValidateCookie(string path, VisitorCookieOptions cookie, ICollection<string> errors)
    {
        if (!CookieNamePattern().IsMatch(cookie.Name))
        {
            errors.Add($"{path}:Name is not a valid cookie name");
        }

        if (cookie.MaxAgeDays is < 1 or > 400)
        {
            errors.Add($"{path}:MaxAgeDays must be between 1 and 400 (browsers cap cookies at 400 days)");
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,39}$")]
    private static partial Regex MarkPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$")]
    private static partial Regex LinkNamePattern();

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$")]
    private static partial Regex CarrierPattern();

    [GeneratedRegex("^[A-Z]{2}$")]
    private static partial Regex RegionPattern();

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyPattern();

    [GeneratedRegex("^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$")]
    private static partial Regex CookieNamePattern();

    /// <summary>A GA4 measurement id: <c>G-</c> and letters or digits (the session cookie is <c>_ga_</c> and the rest).</summary>
    [GeneratedRegex("^G-[A-Z0-9]{4,20}$")]
    private static partial Regex Ga4MeasurementIdPattern();
}
