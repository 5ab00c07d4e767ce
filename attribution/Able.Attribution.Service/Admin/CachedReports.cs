using System.Text.Json;
using Able.Attribution.Reports;
using Able.Schema.Configuration;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Options;

namespace Able.Attribution.Service.Admin;

/// <summary>
/// Funnel summaries and campaign reports as <see cref="StatsReader"/> computes them, kept for
/// <c>Able:Admin:ReportCacheSeconds</c> in the distributed cache (Redis, under <c>{prefix}admin:cache:</c>), so every replica
/// and both the admin API and the console answer a repeated question from one computation. 0 seconds: not cached.
/// </summary>
internal sealed class CachedReports(StatsReader stats, IDistributedCache cache, IOptionsMonitor<AbleOptions> options)
{
    public Task<FunnelSummary> SummaryAsync(string mark, int days, CancellationToken cancellationToken = default) =>
        GetOrComputeAsync($"admin:summary:{mark}:{days}", () => stats.SummaryAsync(mark, days), cancellationToken);

    public Task<IReadOnlyList<CampaignRow>> CampaignsAsync(string mark, int days, TouchModel model, CancellationToken cancellationToken = default) =>
        GetOrComputeAsync($"admin:report:{mark}:{days}:{model}", () => stats.CampaignsAsync(mark, days, model), cancellationToken);

    private async Task<T> GetOrComputeAsync<T>(string key, Func<Task<T>> compute, CancellationToken cancellationToken)
        where T : class
    {
        var seconds = options.CurrentValue.Admin.ReportCacheSeconds;
        if (seconds <= 0)
        {
            return await compute();
        }

        if (await cache.GetAsync(key, cancellationToken) is { } cached && Read<T>(cached) is { } hit)
        {
            return hit;
        }

        var value = await compute();
        await cache.SetAsync(key, JsonSerializer.SerializeToUtf8Bytes(value, AdminJson.Options),
            new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(seconds) }, cancellationToken);
        return value;
    }

    /// <summary>A cached value, or null when it cannot be read (written by another version): then it is computed again.</summary>
    private static T? Read<T>(byte[] json)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, AdminJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }
}
