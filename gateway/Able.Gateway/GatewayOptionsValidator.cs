using Able.Schema.Configuration;
using static Able.Schema.Configuration.OptionsRules;

namespace Able.Gateway;

/// <summary><c>Able:Gateway</c>, validated (and strictly bound) by the gateway only.</summary>
public sealed class GatewayOptionsValidator : IAbleOptionsSectionValidator
{
    public string Section => nameof(AbleOptions.Gateway);

    public void Validate(AbleOptions options, ICollection<string> errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        var path = KeyOf(Section);
        var gateway = options.Gateway;
        RequireEndpoints(path, gateway, errors);
        RequireAbsoluteHttpUrl($"{path}:AttributionUrl", gateway.AttributionUrl, errors);
        RequireCidrs($"{path}:TrustedProxies", gateway.TrustedProxies, errors);
        RequireBetween($"{path}:Capture:QueueCapacity", gateway.Capture.QueueCapacity, 1, 1_000_000, errors);
        RequireBetween($"{path}:Capture:BatchSize", gateway.Capture.BatchSize, 1, 10_000, errors);
        RequireBetween($"{path}:Capture:BatchLingerMilliseconds", gateway.Capture.BatchLingerMilliseconds, 0, 1000, errors);
        RequireBetween($"{path}:Capture:MaxTouches", gateway.Capture.MaxTouches, 1, 1000, errors);
        RequireBetween($"{path}:Capture:ShutdownFlushSeconds", gateway.Capture.ShutdownFlushSeconds, 0, 300, errors);
        RequireBetween($"{path}:Capture:Budget:NewVisitorsPerIpPerMinute", gateway.Capture.Budget.NewVisitorsPerIpPerMinute, 1, 1_000_000, errors);
        RequireBetween($"{path}:Capture:Budget:CapturesPerVisitorPerMinute", gateway.Capture.Budget.CapturesPerVisitorPerMinute, 1, 1_000_000, errors);
        RequireBetween($"{path}:Capture:Budget:TrackedAddresses", gateway.Capture.Budget.TrackedAddresses, 1024, 16_777_216, errors);
        RequireBetween($"{path}:Capture:Budget:TrackedVisitors", gateway.Capture.Budget.TrackedVisitors, 1024, 16_777_216, errors);
        RequireBetween($"{path}:RateLimit:PermitsPerWindow", gateway.RateLimit.PermitsPerWindow, 1, 1_000_000, errors);
        RequireBetween($"{path}:RateLimit:WindowSeconds", gateway.RateLimit.WindowSeconds, 1, 86_400, errors);
        RequireBetween($"{path}:RateLimit:MaxConcurrentRequests", gateway.RateLimit.MaxConcurrentRequests, 1, 1_000_000, errors);
        ValidateTls($"{path}:Tls", gateway, errors);
        for (var i = 0; i < options.Funnels.Length; i++)
        {
            RequireBetween($"{KeyOf(nameof(AbleOptions.Funnels))}:{i}:Https:HstsMaxAgeSeconds", options.Funnels[i].Https.HstsMaxAgeSeconds, 0, 63_072_000, errors);
        }
    }

    private static void ValidateTls(string path, GatewayOptions gateway, ICollection<string> errors)
    {
        var tls = gateway.Tls;
        RequireBetween($"{path}:ReloadCheckSeconds", tls.ReloadCheckSeconds, 1, 3600, errors);
        if (tls.RedirectPort is { } redirectPort)
        {
            RequireBetween($"{path}:RedirectPort", redirectPort, 1, 65_535, errors);
        }

        RequireAbsoluteHttpUrl($"{path}:Acme:Directory", tls.Acme.Directory, errors);
        if (!tls.Enabled)
        {
            return;
        }

        if (!Uri.TryCreate(tls.Url, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttps || url.AbsolutePath != "/")
        {
            errors.Add($"{path}:Url must be an https URL with no path, such as https://0.0.0.0:8443 (got '{tls.Url}')");
        }
        else if (Uri.TryCreate(gateway.PublicUrl, UriKind.Absolute, out var publicUrl) && publicUrl.Port == url.Port
            || Uri.TryCreate(gateway.ManagementUrl, UriKind.Absolute, out var managementUrl) && managementUrl.Port == url.Port)
        {
            errors.Add($"{path}:Url must use a port of its own, not PublicUrl's or ManagementUrl's");
        }

        if (string.IsNullOrWhiteSpace(tls.CertificateDirectory))
        {
            errors.Add($"{path}:CertificateDirectory must name a directory when {path}:Enabled is true");
        }

        if (string.IsNullOrWhiteSpace(tls.AcmeWebroot))
        {
            errors.Add($"{path}:AcmeWebroot must name a directory when {path}:Enabled is true");
        }
    }
}
