using System.Globalization;
using System.Text;
using Able.Schema.Redis;
using Able.Schema.Stats;
using StackExchange.Redis;

namespace Able.Attribution.Reports;

/// <summary>
/// Reads the per-funnel, per-day counters (<see cref="FunnelSummary"/>, <see cref="CampaignRow"/>) that the gateway and the
/// worker keep as events happen (<see cref="StatsUpdate"/>): one hash per day, all days of the period read in one pipelined
/// round trip; never a scan of visitor data. Values this layout did not write are skipped, never thrown on.
/// </summary>
public sealed class StatsReader(IConnectionMultiplexer redis, RedisKeys keys, TimeProvider time)
{
    /// <summary>The longest period a report covers (the day hashes are kept 400 days).</summary>
    public const int MaxDays = 400;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The summary of the last <paramref name="days"/> UTC days, today included (1, 7 or 30 in the API; any 1-400 allowed).</summary>
    public async Task<FunnelSummary> SummaryAsync(string mark, int days)
    {
        ArgumentException.ThrowIfNullOrEmpty(mark);
        var period = Period(days);
        var batch = redis.GetDatabase().CreateBatch();
        var hashes = period.Select(day => batch.HashGetAllAsync(keys.FunnelStats(mark, day))).ToArray();
        var lastDeliveries = LastDeliverySources.All.Select(source => (source, batch.StringGetAsync(keys.LastDelivery(source, mark)))).ToArray();
        batch.Execute();
        await Task.WhenAll(hashes.Cast<Task>().Concat(lastDeliveries.Select(l => l.Item2)));

        var revenue = new Dictionary<string, long>(StringComparer.Ordinal);
        var joinPaths = new Dictionary<string, long>(StringComparer.Ordinal);
        var delivery = new Dictionary<string, long>(StringComparer.Ordinal);
        long visits = 0, newVisitors = 0, clicks = 0, bookings = 0, purchases = 0, deadLetters = 0;
        var daily = new List<DailyFigures>(period.Length);
        for (var i = 0; i < period.Length; i++)
        {
            long dayVisits = 0, dayClicks = 0, dayBookings = 0, dayPurchases = 0;
            var dayRevenue = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var entry in await hashes[i])
            {
                if (!entry.Value.TryParse(out long count))
                {
                    continue;
                }

                var field = entry.Name.ToString();
                switch (field)
                {
                    case FunnelStatsFields.Visits:
                        dayVisits += count;
                        break;
                    case FunnelStatsFields.NewVisitors:
                        newVisitors += count;
                        break;
                    case FunnelStatsFields.TikTokClicks:
                        dayClicks += count;
                        break;
                    case FunnelStatsFields.Bookings:
                        dayBookings += count;
                        break;
                    case FunnelStatsFields.Purchases:
                        dayPurchases += count;
                        break;
                    case FunnelStatsFields.DeadLetters:
                        deadLetters += count;
                        break;
                    default:
                        AddPrefixed(field, count, FunnelStatsFields.RevenuePrefix, dayRevenue);
                        AddPrefixed(field, count, FunnelStatsFields.JoinPathPrefix, joinPaths);
                        AddPrefixed(field, count, FunnelStatsFields.DeliveryPrefix, delivery);
                        break;
                }
            }

            visits += dayVisits;
            clicks += dayClicks;
            bookings += dayBookings;
            purchases += dayPurchases;
            foreach (var (currency, micro) in dayRevenue)
            {
                revenue[currency] = revenue.GetValueOrDefault(currency) + micro;
            }

            daily.Add(new DailyFigures(period[i], dayVisits, dayClicks, dayBookings, dayPurchases, Money(dayRevenue)));
        }

        var conversions = joinPaths.Values.Sum();
        var joined = conversions - joinPaths.GetValueOrDefault(FunnelStatsFields.NoJoinPath);
        var last = lastDeliveries
            .Select(l => (Source: l.source, At: l.Item2.Result.TryParse(out long ms) ? ms : (long?)null))
            .Where(l => l.At is > 0 and < 253402300800000)
            .OrderByDescending(l => l.At)
            .FirstOrDefault();
        return new FunnelSummary
        {
            Mark = mark,
            Days = days,
            Visits = visits,
            NewVisitors = newVisitors,
            TikTokClicks = clicks,
            Bookings = bookings,
            Purchases = purchases,
            Revenue = Money(revenue),
            JoinPaths = joinPaths,
            Delivery = delivery,
            DeadLetters = deadLetters,
            LastWebhookAt = last.At is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null,
            LastWebhookSource = last.At is null ? null : last.Source,
            Daily = daily,
            MatchRate = conversions == 0 ? 0 : (double)joined / conversions,
        };
    }

    /// <summary>The campaign report of the last <paramref name="days"/> UTC days under <paramref name="model"/>, by bookings then visits, descending.</summary>
    public async Task<IReadOnlyList<CampaignRow>> CampaignsAsync(string mark, int days, TouchModel model)
    {
        ArgumentException.ThrowIfNullOrEmpty(mark);
        var period = Period(days);
        var batch = redis.GetDatabase().CreateBatch();
        var hashes = period.Select(day => batch.HashGetAllAsync(keys.CampaignStats(mark, day))).ToArray();
        batch.Execute();
        await Task.WhenAll(hashes);

        var prefix = model == TouchModel.First ? CampaignRows.FirstTouch : CampaignRows.LastTouch;
        var rows = new Dictionary<(CampaignRowKind Kind, CampaignKey? Key), RowSums>();
        foreach (var hash in hashes)
        {
            foreach (var entry in await hash)
            {
                if (!entry.Value.TryParse(out long count) || !CampaignRows.TryReadField(entry.Name.ToString(), out var metric, out var kind, out var key))
                {
                    continue;
                }

                if (!rows.TryGetValue((kind, key), out var sums))
                {
                    sums = new RowSums();
                    rows[(kind, key)] = sums;
                }

                sums.Add(metric, prefix, count);
            }
        }

        return [.. rows
            .Where(row => !row.Value.IsEmpty)
            .Select(row => row.Value.ToRow(row.Key.Kind, row.Key.Key))
            .OrderByDescending(row => row.Bookings)
            .ThenByDescending(row => row.Visits)
            .ThenByDescending(row => row.Purchases)
            .ThenBy(row => row.Source, StringComparer.Ordinal)
            .ThenBy(row => row.Campaign, StringComparer.Ordinal)
            .ThenBy(row => row.Content, StringComparer.Ordinal)
            .ThenBy(row => row.TikTokClick)];
    }

    /// <summary>
    /// The report as CSV (RFC 4180: CRLF line ends, a header row, a field quoted when it holds a comma, quote or line
    /// break, quotes doubled), revenue one column per currency. A text cell that a spreadsheet would read as a formula
    /// (starting with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, tab or carriage return) gets a leading <c>'</c> and is quoted,
    /// so a crafted utm_campaign never runs as one.
    /// </summary>
    public static string ToCsv(IReadOnlyList<CampaignRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var currencies = rows.SelectMany(row => row.Revenue.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var csv = new StringBuilder();
        string[] header = ["row", "utm_source", "utm_campaign", "utm_content", "ttclid", "visits", "bookings", "purchases"];
        Line(csv, [.. header, .. currencies.Select(currency => $"revenue_{currency}"), "matched", "matched_share"]);
        foreach (var row in rows)
        {
            var kind = row.Unattributed ? "unattributed" : row.Overflow ? "other" : "campaign";
            Line(csv,
            [
                kind, row.Source, row.Campaign, row.Content, row.TikTokClick ? "yes" : "no",
                Number(row.Visits), Number(row.Bookings), Number(row.Purchases),
                .. currencies.Select(currency => row.Revenue.TryGetValue(currency, out var amount) ? amount.ToString(Invariant) : "0"),
                Number(row.Matched), row.MatchedShare.ToString("0.####", Invariant),
            ]);
        }

        return csv.ToString();
    }

    /// <summary>One CSV field: guarded against formula injection, quoted when RFC 4180 needs it.</summary>
    public static string CsvField(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var formula = value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r';
        var text = formula ? "'" + value : value;
        var quote = formula || text.AsSpan().IndexOfAny(",\"\r\n") >= 0;
        return quote ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }

    private static void Line(StringBuilder csv, IEnumerable<string> fields)
    {
        csv.AppendJoin(',', fields.Select(CsvField));
        csv.Append("\r\n");
    }

    private static string Number(long value) => value.ToString(Invariant);

    /// <summary>The UTC days of the period, oldest first, today last.</summary>
    private DateOnly[] Period(int days)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(days, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(days, MaxDays);
        var today = StatsUpdate.Day(time.GetUtcNow());
        return [.. Enumerable.Range(0, days).Select(i => today.AddDays(i - days + 1))];
    }

    private static void AddPrefixed(string field, long count, string prefix, Dictionary<string, long> into)
    {
        if (field.Length > prefix.Length && field.StartsWith(prefix, StringComparison.Ordinal))
        {
            var name = field[prefix.Length..];
            into[name] = into.GetValueOrDefault(name) + count;
        }
    }

    private static Dictionary<string, decimal> Money(Dictionary<string, long> microUnits) =>
        microUnits.Where(m => m.Value != 0).ToDictionary(m => m.Key, m => m.Value / FunnelStatsFields.MicroUnitsPerUnit, StringComparer.Ordinal);

    /// <summary>One row's sums over the period under the chosen touch model.</summary>
    private sealed class RowSums
    {
        private readonly Dictionary<string, long> revenue = new(StringComparer.Ordinal);
        private long visits;
        private long bookings;
        private long purchases;
        private long matched;

        public bool IsEmpty => visits == 0 && bookings == 0 && purchases == 0 && matched == 0 && revenue.Values.All(v => v == 0);

        public void Add(string metric, string model, long count)
        {
            if (metric == CampaignRows.Visits)
            {
                visits += count;
                return;
            }

            if (metric.Length < 2 || !metric.StartsWith(model, StringComparison.Ordinal))
            {
                return;
            }

            var measure = metric[model.Length..];
            switch (measure)
            {
                case CampaignRows.Bookings:
                    bookings += count;
                    break;
                case CampaignRows.Purchases:
                    purchases += count;
                    break;
                case CampaignRows.Matched:
                    matched += count;
                    break;
                default:
                    AddPrefixed(measure, count, CampaignRows.RevenuePrefix, revenue);
                    break;
            }
        }

        public CampaignRow ToRow(CampaignRowKind kind, CampaignKey? key) => new()
        {
            Source = kind switch { CampaignRowKind.Other => "(other)", _ => key?.Source ?? "" },
            Campaign = kind switch { CampaignRowKind.Other => "(other)", _ => key?.Campaign ?? "" },
            Content = kind switch { CampaignRowKind.Other => "(other)", _ => key?.Content ?? "" },
            TikTokClick = key?.TikTokClick ?? false,
            Unattributed = kind == CampaignRowKind.Unattributed,
            Overflow = kind == CampaignRowKind.Other,
            Visits = visits,
            Bookings = bookings,
            Purchases = purchases,
            Revenue = Money(revenue),
            Matched = matched,
        };
    }
}
