using Able.Schema.Stats;
using StackExchange.Redis;

namespace Able.Gateway.Capture;

/// <summary>
/// The report counters of a written batch of captures (README, "Reports"), summed in memory per funnel and UTC day of
/// the touch: visits, new visitors (the capture script answered 1), TikTok clicks, and visits per campaign row
/// (utm_source, utm_campaign, utm_content, ttclid present). One <see cref="StatsUnit"/> per funnel and day: a batch of
/// hundreds of captures adds one Redis command, not one per capture.
/// </summary>
internal static class CaptureCounters
{
    /// <summary>
    /// The units of the captures whose script succeeded (<paramref name="scripts"/>[i] is the script of
    /// <paramref name="records"/>[i]), one per funnel and day.
    /// </summary>
    public static Dictionary<(string Mark, DateOnly Day), StatsUnit> Sum(IReadOnlyList<CaptureRecord> records, IReadOnlyList<Task<RedisResult>> scripts)
    {
        var units = new Dictionary<(string, DateOnly), StatsUnit>();
        var rows = new Dictionary<(string, DateOnly, string), long>();
        for (var i = 0; i < records.Count; i++)
        {
            if (!scripts[i].IsCompletedSuccessfully)
            {
                continue;
            }

            var record = records[i];
            var touch = record.Touch;
            var day = StatsUpdate.Day(DateTimeOffset.FromUnixTimeMilliseconds(touch.At));
            if (!units.TryGetValue((record.Mark, day), out var unit))
            {
                unit = new StatsUnit();
                units[(record.Mark, day)] = unit;
            }

            unit.Add(FunnelStatsFields.Visits);
            if (IsFirstTouch(scripts[i].Result))
            {
                unit.Add(FunnelStatsFields.NewVisitors);
            }

            if (touch.Ttclid is not null)
            {
                unit.Add(FunnelStatsFields.TikTokClicks);
            }

            var row = CampaignRows.Encode(CampaignKey.Of(touch.Utm, touch.Ttclid));
            rows[(record.Mark, day, row)] = rows.GetValueOrDefault((record.Mark, day, row)) + 1;
        }

        foreach (var ((mark, day, row), visits) in rows)
        {
            units[(mark, day)].AddToRow(row, CampaignRows.Visits, visits);
        }

        return units;
    }

    private static bool IsFirstTouch(RedisResult result) => result.Resp2Type == ResultType.Integer && (long)result == 1;
}
