using System.Text.Json;
using Able.Attribution.Reports;
using Able.Schema.Configuration;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Options;

namespace Able.Attribution.Service.ConsolePages;

/// <summary>
/// The reports the console shows, computed by <see cref="StatsReader"/> and kept for <c>Able:Admin:ReportCacheSeconds</c>
/// in <see cref="IDistributedCache"/> (Redis: shared by the replicas), so a page reload does not read every counter again.
/// </summary>
public sealed class ConsoleReports(StatsReader stats, IDistributedCache cache, IOptionsMonitor<AbleOptions> options)
{
    private static readonly JsonSerializerOptions CacheJson = new(JsonSerializerDefaults.Web);

    public Task<FunnelSummary> SummaryAsync(string mark, int days, CancellationToken ct) =>
        CachedAsync($"report:summary:{mark}:{days}", () => stats.SummaryAsync(mark, days), ct);

    public Task<IReadOnlyList<CampaignRow>> CampaignsAsync(string mark, int days, TouchModel model, CancellationToken ct) =>
        CachedAsync($"report:campaigns:{mark}:{days}:{model}", () => stats.CampaignsAsync(mark, days, model), ct);

    private async Task<T> CachedAsync<T>(string key, Func<Task<T>> compute, CancellationToken ct)
    {
        var seconds = options.CurrentValue.Admin.ReportCacheSeconds;
        if (seconds <= 0)
        {
            return await compute();
        }

        if (await cache.GetStringAsync(key, ct) is { } cached)
        {
            try
            {
                if (JsonSerializer.Deserialize<T>(cached, CacheJson) is { } value)
                {
                    return value;
                }
            }
            catch (JsonException)
            {
                // Written by another version of the service: computed again below and replaced.
            }
        }

        var computed = await compute();
        await cache.SetStringAsync(key, JsonSerializer.Serialize(computed, CacheJson),
            new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(seconds) }, ct);
        return computed;
    }
}
