using System.Net;
using System.Text.RegularExpressions;
using Able.Schema.Configuration;
using Microsoft.Extensions.Options;

namespace Able.Hosting.Configuration;

/// <summary>
/// Checks <see cref="AbleOptions"/> at start-up. Every failure names the configuration key it is about
/// (<c>Able:Funnels:0:Hosts must not be empty</c>) so an operator can fix it without reading code.
/// Values are never echoed for secrets.
/// </summary>
public sealed partial class AbleOptionsValidator : IValidateOptions<AbleOptions>
{
    private const string Root = AbleOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, AbleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        ValidateRedis(options.Redis, errors);
        ValidateEndpoints($"{Root}:Gateway", options.Gateway, errors);
        ValidateEndpoints($"{Root}:Attribution", options.Attribution, errors);
        RequireAbsoluteHttpUrl($"{Root}:Gateway:AttributionUrl", options.Gateway.AttributionUrl, errors);
        RequireCidrs($"{Root}:Gateway:TrustedProxies", options.Gateway.TrustedProxies, errors);
        ValidateIngress($"{Root}:Attribution:Ingress", options.Attribution.Ingress, errors);
        ValidateCapture($"{Root}:Gateway", options.Gateway, errors);
        ValidateFunnels(options.Funnels, errors);
        ValidateWorker(options.Worker, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateRedis(RedisOptions redis, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(redis.Configuration))
        {
            errors.Add($"{Root}:Redis:Configuration must not be empty (for example localhost:6379)");
        }

        if (string.IsNullOrEmpty(redis.KeyPrefix) || redis.KeyPrefix.Any(char.IsWhiteSpace))
        {
            errors.Add($"{Root}:Redis:KeyPrefix must be a non-empty prefix without spaces (for example able:)");
        }

        if (redis.ReadyTimeoutMilliseconds is < 50 or > 60_000)
        {
            errors.Add($"{Root}:Redis:ReadyTimeoutMilliseconds must be between 50 and 60000");
        }

        if (redis.ConnectTimeoutMilliseconds is < 50 or > 60_000)
        {
            errors.Add($"{Root}:Redis:ConnectTimeoutMilliseconds must be between 50 and 60000");
        }
    }

    private static void ValidateIngress(string path, IngressOptions ingress, List<string> errors)
    {
        RequireBetween($"{path}:SignatureToleranceSeconds", ingress.SignatureToleranceSeconds, 1, 86_400, errors);
        RequireBetween($"{path}:MaxBodyBytes", ingress.MaxBodyBytes, 1024, 16 * 1024 * 1024, errors);
        RequireBetween($"{path}:MaxConversionsBodyBytes", ingress.MaxConversionsBodyBytes, 1024, 64 * 1024 * 1024, errors);
        RequireBetween($"{path}:RedisWriteTimeoutMilliseconds", ingress.RedisWriteTimeoutMilliseconds, 50, 60_000, errors);
        RequireBetween($"{path}:RateLimit:PermitsPerIp", ingress.RateLimit.PermitsPerIp, 1, 1_000_000, errors);
        RequireBetween($"{path}:RateLimit:PermitsPerFunnel", ingress.RateLimit.PermitsPerFunnel, 1, 1_000_000, errors);
        RequireBetween($"{path}:RateLimit:WindowSeconds", ingress.RateLimit.WindowSeconds, 1, 3600, errors);
        RequireCidrs($"{path}:TrustedProxies", ingress.TrustedProxies, errors);
    }

    private static void ValidateCapture(string path, GatewayOptions gateway, List<string> errors)
    {
        RequireBetween($"{path}:Capture:QueueCapacity", gateway.Capture.QueueCapacity, 1, 1_000_000, errors);
        RequireBetween($"{path}:Capture:BatchSize", gateway.Capture.BatchSize, 1, 10_000, errors);
        RequireBetween($"{path}:Capture:MaxTouches", gateway.Capture.MaxTouches, 1, 1000, errors);
        RequireBetween($"{path}:Capture:ShutdownFlushSeconds", gateway.Capture.ShutdownFlushSeconds, 0, 300, errors);
        RequireBetween($"{path}:Capture:Budget:NewVisitorsPerIpPerMinute", gateway.Capture.Budget.NewVisitorsPerIpPerMinute, 1, 1_000_000, errors);
        RequireBetween($"{path}:Capture:Budget:CapturesPerVisitorPerMinute", gateway.Capture.Budget.CapturesPerVisitorPerMinute, 1, 1_000_000, errors);
        RequireBetween($"{path}:Capture:Budget:TrackedAddresses", gateway.Capture.Budget.TrackedAddresses, 1024, 16_777_216, errors);
        RequireBetween($"{path}:Capture:Budget:TrackedVisitors", gateway.Capture.Budget.TrackedVisitors, 1024, 16_777_216, errors);
        RequireBetween($"{path}:RateLimit:PermitsPerWindow", gateway.RateLimit.PermitsPerWindow, 1, 1_000_000, errors);
        RequireBetween($"{path}:RateLimit:WindowSeconds", gateway.RateLimit.WindowSeconds, 1, 86_400, errors);
        RequireBetween($"{path}:RateLimit:MaxConcurrentRequests", gateway.RateLimit.MaxConcurrentRequests, 1, 1_000_000, errors);
    }

    private static void RequireBetween(string key, int value, int min, int max, List<string> errors)
    {
        if (value < min || value > max)
        {
            errors.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{key} must be between {min} and {max}"));
        }
    }

    private static void RequireCidrs(string key, string[] values, List<string> errors)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (!IPNetwork.TryParse(values[i], out _))
            {
                errors.Add($"{key}:{i} must be a CIDR such as 10.0.0.0/8 (got '{values[i]}')");
            }
        }
    }

    private static void ValidateEndpoints(string path, IServiceEndpoints endpoints, List<string> errors)
    {
        var publicOk = RequireAbsoluteHttpUrl($"{path}:PublicUrl", endpoints.PublicUrl, errors);
        var managementOk = RequireAbsoluteHttpUrl($"{path}:ManagementUrl", endpoints.ManagementUrl, errors);
        if (publicOk && managementOk && new Uri(endpoints.PublicUrl).Port == new Uri(endpoints.ManagementUrl).Port)
        {
            errors.Add($"{path}:ManagementUrl must use a different port from {path}:PublicUrl");
        }
    }

    private static void ValidateFunnels(FunnelOptions[] funnels, List<string> errors)
    {
        if (funnels.Length == 0)
        {
            errors.Add($"{Root}:Funnels must list at least one funnel");
        }

        var marks = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var hosts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < funnels.Length; i++)
        {
            var path = $"{Root}:Funnels:{i}";
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
            RequireAbsoluteHttpUrl($"{path}:Origin", funnel.Origin, errors);
            if (funnel.RetentionDays is < 1 or > 3650)
            {
                errors.Add($"{path}:RetentionDays must be between 1 and 3650");
            }

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

            foreach (var (linkName, url) in funnel.Links)
            {
                if (!LinkNamePattern().IsMatch(linkName))
                {
                    errors.Add($"{path}:Links:{linkName} is not a usable link name (a-z, 0-9, '-', '_')");
                }

                RequireAbsoluteHttpUrl($"{path}:Links:{linkName}", url, errors);
            }
        }
    }

    private static void ValidateHosts(string path, string[] funnelHosts, Dictionary<string, string> seen, List<string> errors)
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

    private static void ValidateTikTok(string path, TikTokFunnelOptions tikTok, List<string> errors)
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

    private static void ValidateCalendly(string path, CalendlyFunnelOptions calendly, List<string> errors)
    {
        if (!CarrierPattern().IsMatch(calendly.CarrierParam))
        {
            errors.Add($"{path}:CarrierParam must be a query parameter name such as salesforce_uuid or utm_term");
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

    private static void ValidateCookie(string path, VisitorCookieOptions cookie, List<string> errors)
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

    private static bool RequireAbsoluteHttpUrl(string key, string? value, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add($"{key} must not be empty");
            return false;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"{key} must be an absolute http or https URL (got '{value}')");
            return false;
        }

        return true;
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
}
