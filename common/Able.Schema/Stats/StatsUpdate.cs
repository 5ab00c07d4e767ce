using System.Globalization;
using Able.Schema.Redis;
using StackExchange.Redis;

namespace Able.Schema.Stats;

/// <summary>
/// One set of increments to a funnel's day counters: to the numbers hash (<see cref="FunnelStatsFields"/>) and to campaign
/// rows (<see cref="CampaignRows"/>). A unit with a <see cref="Once"/> field is applied only the first time that field is
/// set on its once-marker (see <see cref="StatsScript"/>).
/// </summary>
public sealed class StatsUnit
{
    private readonly Dictionary<string, long> funnel = new(StringComparer.Ordinal);
    private readonly List<(string Row, string Metric, long Amount)> rows = [];

    /// <summary>The unit's once-marker: the hash key and the field that, set once, marks the unit as counted; null for a unit applied every time.</summary>
    public (RedisKey Marker, string Field)? Once { get; init; }

    public IReadOnlyDictionary<string, long> Funnel => funnel;

    public IReadOnlyList<(string Row, string Metric, long Amount)> Rows => rows;

    public bool IsEmpty => funnel.Count == 0 && rows.Count == 0;

    /// <summary>Adds <paramref name="amount"/> to a field of the numbers hash.</summary>
    public StatsUnit Add(string field, long amount = 1)
    {
        funnel[field] = funnel.GetValueOrDefault(field) + amount;
        return this;
    }

    /// <summary>Adds <paramref name="amount"/> to <paramref name="metric"/> of a campaign row (encoded or reserved).</summary>
    public StatsUnit AddToRow(string row, string metric, long amount = 1)
    {
        rows.Add((row, metric, amount));
        return this;
    }
}

/// <summary>Writes <see cref="StatsUnit"/>s of one funnel and day in one script call (<see cref="StatsScript"/>).</summary>
public static class StatsUpdate
{
    /// <summary>How long the day hashes are kept after their last write.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(400);

    /// <summary>
    /// Queues the units on <paramref name="redis"/> (a batch sends it with the batch). All units guarded or none: the
    /// markers of guarded units are the script's keys after the two day hashes. Returns how many units were applied.
    /// </summary>
    public static Task<RedisResult> ApplyAsync(
        IDatabaseAsync redis, RedisKeys keys, string mark, DateOnly day, IReadOnlyList<StatsUnit> units, TimeSpan markerRetention)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(units);
        var scriptKeys = new List<RedisKey>(2 + units.Count) { keys.FunnelStats(mark, day), keys.CampaignStats(mark, day) };
        var arguments = new List<RedisValue>(8 + (units.Count * 8))
        {
            (long)Retention.TotalMilliseconds,
            CampaignRows.MaxRowsPerDay,
            (long)markerRetention.TotalMilliseconds,
            CampaignRows.OtherRow,
        };
        foreach (var unit in units)
        {
            if (unit.Once is { } once)
            {
                scriptKeys.Add(once.Marker);
                arguments.Add(once.Field);
            }
            else
            {
                arguments.Add("");
            }

            arguments.Add(unit.Funnel.Count);
            arguments.Add(unit.Rows.Count);
            foreach (var (field, amount) in unit.Funnel)
            {
                arguments.Add(field);
                arguments.Add(amount);
            }

            foreach (var (row, metric, amount) in unit.Rows)
            {
                arguments.Add(row);
                arguments.Add(metric);
                arguments.Add(amount);
            }
        }

        if (scriptKeys.Count != 2 && scriptKeys.Count != 2 + units.Count)
        {
            throw new ArgumentException("Either every unit has a once-marker or none has.", nameof(units));
        }

        return redis.ScriptEvaluateAsync(StatsScript.Source, [.. scriptKeys], [.. arguments]);
    }

    /// <summary>The UTC day of a Unix millisecond time (the day a count belongs to).</summary>
    public static DateOnly Day(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime);

    /// <summary>The day as key names write it.</summary>
    public static string DayText(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>
/// The one script that changes the counters. KEYS[1] the day's numbers hash, KEYS[2] the day's campaigns hash, KEYS[2+u]
/// the once-marker hash of unit u when units are guarded. ARGV[1] the day hashes' TTL (ms), ARGV[2] the cap of distinct
/// rows, ARGV[3] the markers' TTL (ms), ARGV[4] the overflow row; then per unit: its once field ('' when unguarded), the
/// number of numbers-hash increments n and of row increments m, n field/amount pairs, m row/metric/amount triples.
/// A guarded unit is applied only when HSETNX sets its field, so a step that runs again (a reclaimed entry, a retried
/// record) counts nothing twice. A row not yet in the day's hash is registered (its visits field, and the row counter)
/// while fewer than the cap are; past it, the increment goes to the overflow row. Rows starting with <c>~</c> (reserved)
/// are always admitted. Returns the number of units applied. Both day hashes share the funnel's hash tag with its markers,
/// so this also runs on Redis Cluster.
/// </summary>
public static class StatsScript
{
    public const string Source = """
        #!lua
        local stats, campaigns = KEYS[1], KEYS[2]
        local statsTtl, cap, markerTtl, other = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
        local function admit(row)
          if string.sub(row, 1, 1) == '~' or redis.call('HEXISTS', campaigns, 'v|' .. row) == 1 then
            return row
          end
          if tonumber(redis.call('HGET', campaigns, 'rows') or '0') < cap then
            redis.call('HINCRBY', campaigns, 'rows', 1)
            redis.call('HSET', campaigns, 'v|' .. row, 0)
            return row
          end
          return other
        end
        local applied, statsTouched, campaignsTouched = 0, false, false
        local at, unit = 5, 0
        while at <= #ARGV do
          unit = unit + 1
          local once, counts, rowCounts = ARGV[at], tonumber(ARGV[at + 1]), tonumber(ARGV[at + 2])
          at = at + 3
          local apply = true
          if once ~= '' then
            apply = redis.call('HSETNX', KEYS[2 + unit], once, '1') == 1
            if apply then
              redis.call('PEXPIRE', KEYS[2 + unit], markerTtl)
            end
          end
          if apply then
            applied = applied + 1
            for i = 0, counts - 1 do
              redis.call('HINCRBY', stats, ARGV[at + 2 * i], ARGV[at + 2 * i + 1])
              statsTouched = true
            end
            local rows = at + 2 * counts
            for i = 0, rowCounts - 1 do
              local row = admit(ARGV[rows + 3 * i])
              redis.call('HINCRBY', campaigns, ARGV[rows + 3 * i + 1] .. '|' .. row, ARGV[rows + 3 * i + 2])
              campaignsTouched = true
            end
          end
          at = at + 2 * counts + 3 * rowCounts
        end
        if statsTouched then
          redis.call('PEXPIRE', stats, statsTtl)
        end
        if campaignsTouched then
          redis.call('PEXPIRE', campaigns, statsTtl)
        end
        return applied
        """;
}
