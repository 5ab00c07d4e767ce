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
}
