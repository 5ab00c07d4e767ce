using Able.Schema.Configuration;
using static Able.Schema.Configuration.OptionsRules;

namespace Able.Attribution.Service;

/// <summary>
/// <c>Able:Attribution</c> (the service's URLs and its webhook and conversions ingress), validated (and strictly
/// bound) by the attribution service only.
/// </summary>
public sealed class AttributionOptionsValidator : IAbleOptionsSectionValidator
{
    public string Section => nameof(AbleOptions.Attribution);

    public void Validate(AbleOptions options, ICollection<string> errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        var path = KeyOf(Section);
        RequireEndpoints(path, options.Attribution, errors);

        var ingress = options.Attribution.Ingress;
        path += ":Ingress";
        RequireBetween($"{path}:SignatureToleranceSeconds", ingress.SignatureToleranceSeconds, 1, 86_400, errors);
        RequireBetween($"{path}:MaxBodyBytes", ingress.MaxBodyBytes, 1024, 16 * 1024 * 1024, errors);
        RequireBetween($"{path}:MaxConversionsBodyBytes", ingress.MaxConversionsBodyBytes, 1024, 64 * 1024 * 1024, errors);
        RequireBetween($"{path}:RedisWriteTimeoutMilliseconds", ingress.RedisWriteTimeoutMilliseconds, 50, 60_000, errors);
        RequireBetween($"{path}:RateLimit:PermitsPerIp", ingress.RateLimit.PermitsPerIp, 1, 1_000_000, errors);
        RequireBetween($"{path}:RateLimit:PermitsPerFunnel", ingress.RateLimit.PermitsPerFunnel, 1, 1_000_000, errors);
        RequireBetween($"{path}:RateLimit:WindowSeconds", ingress.RateLimit.WindowSeconds, 1, 3600, errors);
        RequireCidrs($"{path}:TrustedProxies", ingress.TrustedProxies, errors);

        var calendly = options.Attribution.Calendly;
        path = KeyOf(Section) + ":Calendly";
        RequireAbsoluteHttpUrl($"{path}:ApiBaseUrl", calendly.ApiBaseUrl, errors);
        RequireBetween($"{path}:RequestTimeoutMilliseconds", calendly.RequestTimeoutMilliseconds, 100, 120_000, errors);
        RequireBetween($"{path}:MaxRateLimitWaitSeconds", calendly.MaxRateLimitWaitSeconds, 0, 3600, errors);
        RequireBetween($"{path}:SigningKeyGraceMinutes", calendly.SigningKeyGraceMinutes, 0, 7 * 24 * 60, errors);
        if (calendly.WatchdogIntervalMinutes is < 0.01 or > 24 * 60 || double.IsNaN(calendly.WatchdogIntervalMinutes))
        {
            errors.Add($"{path}:WatchdogIntervalMinutes must be between 0.01 and 1440");
        }

        if (calendly.WebhookBaseUrl is not null)
        {
            RequireAbsoluteHttpUrl($"{path}:WebhookBaseUrl", calendly.WebhookBaseUrl, errors);
        }
    }
}
