using Able.Hosting.Configuration;
using Able.Schema.Configuration;

namespace Able.Tests.Configuration;

public sealed class WorkerOptionsValidationTests
{
    private static AbleOptions Valid(WorkerOptions worker) => new()
    {
        Funnels = [new FunnelOptions { Mark = "acme", Hosts = ["book.example.com"], Origin = "https://origin.example.com" }],
        Worker = worker,
    };

    [Fact]
    public void The_defaults_are_valid() =>
        Assert.True(new AbleOptionsValidator(ServiceSections.Attribution).Validate(null, Valid(new WorkerOptions())).Succeeded);

    [Theory]
    [InlineData("TikTokBaseUrl", "Able:Worker:TikTokBaseUrl must be an absolute http or https URL")]
    [InlineData("BatchSize", "Able:Worker:BatchSize must be between 1 and 1000")]
    [InlineData("MaxEventAgeDays", "Able:Worker:MaxEventAgeDays must be between 1 and 28")]
    [InlineData("ClaimIdleSeconds", "Able:Worker:ClaimIdleSeconds must be at least 1 and longer than Able:Worker:RequestTimeoutMilliseconds")]
    [InlineData("GracePeriodSeconds", "Able:Worker:GracePeriodSeconds must be between 0 and 3600")]
    [InlineData("MaxIngestAttempts", "Able:Worker:MaxIngestAttempts must be between 1 and 1000")]
    public void A_bad_value_is_named_by_its_key(string key, string message)
    {
        var worker = key switch
        {
            "TikTokBaseUrl" => new WorkerOptions { TikTokBaseUrl = "business-api.tiktok.com" },
            "BatchSize" => new WorkerOptions { BatchSize = 1001 },
            "MaxEventAgeDays" => new WorkerOptions { MaxEventAgeDays = 0 },
            "ClaimIdleSeconds" => new WorkerOptions { ClaimIdleSeconds = 5, RequestTimeoutMilliseconds = 10_000 },
            "MaxIngestAttempts" => new WorkerOptions { MaxIngestAttempts = 0 },
            _ => new WorkerOptions { GracePeriodSeconds = -1 },
        };

        var result = new AbleOptionsValidator(ServiceSections.Attribution).Validate(null, Valid(worker));

        Assert.True(result.Failed);
        Assert.Contains(result.Failures, f => f.StartsWith(message, StringComparison.Ordinal));
    }
}
