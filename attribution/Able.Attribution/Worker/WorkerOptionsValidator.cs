using Able.Schema.Configuration;
using static Able.Schema.Configuration.OptionsRules;

namespace Able.Attribution.Worker;

/// <summary><c>Able:Worker</c>, validated (and strictly bound) by the attribution service only.</summary>
public sealed class WorkerOptionsValidator : IAbleOptionsSectionValidator
{
    public string Section => nameof(AbleOptions.Worker);

    public void Validate(AbleOptions options, ICollection<string> errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        var path = KeyOf(Section);
        var worker = options.Worker;
        RequireAbsoluteHttpUrl($"{path}:TikTokBaseUrl", worker.TikTokBaseUrl, errors);
        RequireAbsoluteHttpUrl($"{path}:Ga4BaseUrl", worker.Ga4BaseUrl, errors);
        RequireBetween($"{path}:Ga4MaxEventAgeHours", worker.Ga4MaxEventAgeHours, 1, 72, errors);
        RequireBetween($"{path}:RequestTimeoutMilliseconds", worker.RequestTimeoutMilliseconds, 100, 120_000, errors);
        RequireBetween($"{path}:BatchSize", worker.BatchSize, 1, 1000, errors);
        RequireBetween($"{path}:FlushIntervalMilliseconds", worker.FlushIntervalMilliseconds, 10, 60_000, errors);
        RequireBetween($"{path}:RetryBaseMilliseconds", worker.RetryBaseMilliseconds, 10, 3_600_000, errors);
        RequireBetween($"{path}:RetryMaxMilliseconds", worker.RetryMaxMilliseconds, worker.RetryBaseMilliseconds, 86_400_000, errors);
        RequireBetween($"{path}:RetryDeadlineMinutes", worker.RetryDeadlineMinutes, 1, 7 * 1440, errors);
        RequireBetween($"{path}:GracePeriodSeconds", worker.GracePeriodSeconds, 0, 3600, errors);
        RequireBetween($"{path}:MaxEventAgeDays", worker.MaxEventAgeDays, 1, 28, errors);
        RequireBetween($"{path}:ReadCount", worker.ReadCount, 1, 10_000, errors);
        RequireBetween($"{path}:PollIntervalMilliseconds", worker.PollIntervalMilliseconds, 10, 60_000, errors);
        RequireBetween($"{path}:StreamRetentionMinutes", worker.StreamRetentionMinutes, 1, 90 * 1440, errors);
        RequireBetween($"{path}:MaxIngestAttempts", worker.MaxIngestAttempts, 1, 1000, errors);
        if (worker.ClaimIdleSeconds < 1 || worker.ClaimIdleSeconds * 1000L <= worker.RequestTimeoutMilliseconds)
        {
            errors.Add($"{path}:ClaimIdleSeconds must be at least 1 and longer than {path}:RequestTimeoutMilliseconds");
        }

        if (worker.ConsumerName is { } name && (name.Length is 0 or > 100 || name.Any(char.IsWhiteSpace)))
        {
            errors.Add($"{path}:ConsumerName must be 1-100 characters without spaces, or left out");
        }
    }
}
