using Able.Hosting.Configuration;
using Able.Schema.Configuration;
using Able.Tests.Configuration;

namespace Able.Tests.Configuration;

public sealed class GatewayCaptureOptionsValidationTests
{
    private static AbleOptions With(GatewayOptions gateway) => new()
    {
        Gateway = gateway,
        Funnels = [new FunnelOptions { Mark = "acme", Hosts = ["acme.test"], Origin = "http://127.0.0.1:9000" }],
    };

    [Fact]
    public void Defaults_are_valid() =>
        Assert.True(new AbleOptionsValidator(ServiceSections.Gateway).Validate(null, With(new GatewayOptions())).Succeeded);

    [Theory]
    [InlineData("Able:Gateway:Capture:QueueCapacity must be between 1 and 1000000")]
    [InlineData("Able:Gateway:Capture:BatchSize must be between 1 and 10000")]
    [InlineData("Able:Gateway:Capture:MaxTouches must be between 1 and 1000")]
    [InlineData("Able:Gateway:Capture:ShutdownFlushSeconds must be between 0 and 300")]
    [InlineData("Able:Gateway:Capture:Budget:NewVisitorsPerIpPerMinute must be between 1 and 1000000")]
    [InlineData("Able:Gateway:Capture:Budget:CapturesPerVisitorPerMinute must be between 1 and 1000000")]
    [InlineData("Able:Gateway:Capture:Budget:TrackedAddresses must be between 1024 and 16777216")]
    [InlineData("Able:Gateway:Capture:Budget:TrackedVisitors must be between 1024 and 16777216")]
    [InlineData("Able:Gateway:RateLimit:PermitsPerWindow must be between 1 and 1000000")]
    [InlineData("Able:Gateway:RateLimit:WindowSeconds must be between 1 and 86400")]
    [InlineData("Able:Gateway:RateLimit:MaxConcurrentRequests must be between 1 and 1000000")]
    [InlineData("Able:Gateway:TrustedProxies:0 must be a CIDR such as 10.0.0.0/8 (got 'not-a-cidr')")]
    public void Bad_values_name_their_key(string message)
    {
        var gateway = new GatewayOptions
        {
            TrustedProxies = ["not-a-cidr"],
            Capture = new CaptureOptions
            {
                QueueCapacity = 0, BatchSize = 0, MaxTouches = 0, ShutdownFlushSeconds = -1,
                Budget = new CaptureBudgetOptions { NewVisitorsPerIpPerMinute = 0, CapturesPerVisitorPerMinute = 0, TrackedAddresses = 1023, TrackedVisitors = 20_000_000 },
            },
            RateLimit = new GatewayRateLimitOptions { PermitsPerWindow = 0, WindowSeconds = 0, MaxConcurrentRequests = 0 },
        };
        var result = new AbleOptionsValidator(ServiceSections.Gateway).Validate(null, With(gateway));
        Assert.Contains(message, result.Failures!);
    }
}
