using Able.Hosting.Configuration;
using Able.Schema.Configuration;

namespace Able.Tests.Configuration;

public sealed class IngressOptionsValidationTests
{
    private static AbleOptions With(IngressOptions ingress) => new()
    {
        Attribution = new AttributionOptions { Ingress = ingress },
        Funnels = [new FunnelOptions { Mark = "acme", Hosts = ["book.example.com"], Origin = "http://127.0.0.1:8090" }],
    };

    [Fact]
    public void Defaults_are_valid()
    {
        Assert.True(new AbleOptionsValidator(ServiceSections.Attribution).Validate(null, With(new IngressOptions())).Succeeded);
    }

    public static TheoryData<IngressOptions, string> Bad() => new()
    {
        { new IngressOptions { SignatureToleranceSeconds = 0 }, "Able:Attribution:Ingress:SignatureToleranceSeconds" },
        { new IngressOptions { MaxBodyBytes = 100 }, "Able:Attribution:Ingress:MaxBodyBytes" },
        { new IngressOptions { MaxConversionsBodyBytes = 0 }, "Able:Attribution:Ingress:MaxConversionsBodyBytes" },
        { new IngressOptions { RedisWriteTimeoutMilliseconds = 10 }, "Able:Attribution:Ingress:RedisWriteTimeoutMilliseconds" },
        { new IngressOptions { RateLimit = new IngressRateLimitOptions { PermitsPerIp = 0 } }, "Able:Attribution:Ingress:RateLimit:PermitsPerIp" },
        { new IngressOptions { RateLimit = new IngressRateLimitOptions { PermitsPerFunnel = 0 } }, "Able:Attribution:Ingress:RateLimit:PermitsPerFunnel" },
        { new IngressOptions { RateLimit = new IngressRateLimitOptions { WindowSeconds = 0 } }, "Able:Attribution:Ingress:RateLimit:WindowSeconds" },
        { new IngressOptions { TrustedProxies = ["10.0.0.0/8", "gateway"] }, "Able:Attribution:Ingress:TrustedProxies:1" },
    };

    [Theory]
    [MemberData(nameof(Bad))]
    public void Each_bad_value_is_named_by_its_key(IngressOptions ingress, string key)
    {
        var result = new AbleOptionsValidator(ServiceSections.Attribution).Validate(null, With(ingress));
        Assert.True(result.Failed);
        Assert.Contains(result.Failures, failure => failure.StartsWith(key + " ", StringComparison.Ordinal));
    }
}
