using Able.Schema.Redis;
using StackExchange.Redis;

namespace Able.Attribution.Reports;

/// <summary>Reads the per-funnel, per-day counters (<see cref="FunnelSummary"/>, <see cref="CampaignRow"/>). CONTRACT: to be implemented.</summary>
public sealed class StatsReader(IConnectionMultiplexer redis, RedisKeys keys, TimeProvider time)
{
    /// <summary>The summary of the last <paramref name="days"/> UTC days, today included (1, 7 or 30 in the API; any 1-400 allowed).</summary>
    public Task<FunnelSummary> SummaryAsync(string mark, int days) => throw new NotImplementedException($"{redis}{keys}{time}{mark}{days}");

    /// <summary>The campaign report of the last <paramref name="days"/> UTC days under <paramref name="model"/>, by bookings then visits, descending.</summary>
    public Task<IReadOnlyList<CampaignRow>> CampaignsAsync(string mark, int days, TouchModel model) => throw new NotImplementedException($"{mark}{days}{model}");

    /// <summary>The report as CSV (RFC 4180, header row, revenue one column per currency, cells that start with = + - @ quoted against formula injection).</summary>
    public static string ToCsv(IReadOnlyList<CampaignRow> rows) => throw new NotImplementedException($"{rows}");
}
