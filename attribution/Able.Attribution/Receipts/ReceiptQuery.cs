using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Able.Schema.Configuration;
using Able.Schema.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Able.Attribution.Receipts;

/// <summary>Filters of the conversions (receipts) list; every one optional.</summary>
public sealed record ReceiptFilter
{
    /// <summary>One funnel's mark; null for every configured funnel.</summary>
    public string? Mark { get; init; }

    /// <summary>The TikTok event (Schedule, Purchase).</summary>
    public string? Event { get; init; }

    /// <summary>True: a visitor was joined (JoinPath set); false: none was.</summary>
    public bool? Matched { get; init; }

    /// <summary>A <see cref="ReceiptStatus"/> value.</summary>
    public string? Status { get; init; }

    /// <summary>Last update at or after this time.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Last update before this time.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Page size, 1-500.</summary>
    public int Limit { get; init; } = 50;

    /// <summary>The <see cref="ReceiptPage.NextCursor"/> of the previous page; null for the first.</summary>
    public string? Cursor { get; init; }
}

/// <summary>One page of receipts, newest first; <see cref="NextCursor"/> is null on the last page.</summary>
public sealed record ReceiptPage(IReadOnlyList<MatchReceipt> Items, string? NextCursor);

/// <summary>
/// Pages through the funnels' receipt indexes (sorted by last update) newest first, several funnels merged, with filters.
/// The time range is applied in the index read; event, matched and status after loading each chunk of values in one MGET.
/// A call reads at most <see cref="MaxIndexMembersPerPage"/> index members: when the filters are selective it answers
/// fewer items than the limit with a cursor to go on from. The cursor is opaque (base64url of each funnel's position:
/// the score and member last passed), so a receipt updated between two pages moves to the top rather than repeating.
/// </summary>
public sealed class ReceiptQuery(IConnectionMultiplexer redis, RedisKeys keys, ReceiptStore store, IOptionsMonitor<AbleOptions> options)
{
    /// <summary>Index members read per call at most (the work bound of one page).</summary>
    public const int MaxIndexMembersPerPage = 5000;

    public const int MaxLimit = 500;

    public const string InvalidCursor = "cursor is not valid";

    /// <summary>A page of receipts matching <paramref name="filter"/>; false with the problem when the cursor is not one this produced.</summary>
    public async Task<(ReceiptPage? Page, string? Problem)> QueryAsync(ReceiptFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var limit = Math.Clamp(filter.Limit, 1, MaxLimit);
        var marks = filter.Mark is { } one
            ? [one]
            : options.CurrentValue.Funnels.Select(f => f.Mark).Distinct(StringComparer.Ordinal).ToArray();
        Dictionary<string, FunnelPosition> positions;
        if (filter.Cursor is null)
        {
            positions = marks.ToDictionary(m => m, _ => FunnelPosition.Start, StringComparer.Ordinal);
        }
        else if (ReceiptCursor.TryRead(filter.Cursor) is { } read)
        {
            // A funnel the cursor does not name was not part of the listing it continues: nothing more of it.
            positions = marks.ToDictionary(m => m, m => read.GetValueOrDefault(m, FunnelPosition.Finished), StringComparer.Ordinal);
        }
        else
        {
            return (null, InvalidCursor);
        }

        var funnels = positions.Select(p => new FunnelReader(p.Key, p.Value)).ToList();
        var items = new List<MatchReceipt>(limit);
        var budget = MaxIndexMembersPerPage;
        var chunk = Math.Clamp(limit * 2, 50, 500);
        var db = redis.GetDatabase();
        while (items.Count < limit)
        {
            var refillable = true;
            foreach (var funnel in funnels.Where(f => f.Buffer.Count == 0 && !f.Position.Done))
            {
                if (budget <= 0)
                {
                    refillable = false;
                    break;
                }

                budget -= await FillAsync(db, funnel, filter, Math.Min(chunk, budget));
            }

            // The newest head across funnels can only be chosen when every funnel that may have more has one buffered.
            if (!refillable || funnels.Any(f => f.Buffer.Count == 0 && !f.Position.Done))
            {
                break;
            }

            var newest = funnels.Where(f => f.Buffer.Count > 0).MaxBy(f => f.Buffer.Peek(), IndexEntryOrder.Instance);
            if (newest is null)
            {
                break;
            }

            var next = newest.Buffer.Dequeue();
            newest.Position = newest.Position with { Score = next.Score, Member = next.Member, Started = true };
            if (next.Receipt is { } receipt && Matches(receipt, filter))
            {
                items.Add(receipt);
            }
        }

        var more = funnels.Any(f => !f.Position.Done || f.Buffer.Count > 0);
        var cursor = more ? ReceiptCursor.Write(funnels.ToDictionary(f => f.Mark, f => f.Position with { Done = f.Position.Done && f.Buffer.Count == 0 }, StringComparer.Ordinal)) : null;
        return (new ReceiptPage(items, cursor), null);
    }

    /// <summary>Reads the funnel's next index members after its position and their receipts; returns how many members were read.</summary>
    private async Task<int> FillAsync(IDatabase db, FunnelReader funnel, ReceiptFilter filter, int count)
    {
        var position = funnel.Position;
        var after = funnel.ReadAfter ?? (position.Started ? (position.Score, position.Member) : null);
        var lowest = filter.From?.ToUnixTimeMilliseconds() ?? double.NegativeInfinity;
        double highest;
        var exclude = Exclude.None;
        if (after is { } bound)
        {
            highest = bound.Score;
        }
        else if (filter.To is { } to)
        {
            highest = to.ToUnixTimeMilliseconds();
            exclude = Exclude.Stop;
        }
        else
        {
            highest = double.PositiveInfinity;
        }

        var read = 0;
        long skip = 0;
        while (true)
        {
            var entries = await db.SortedSetRangeByScoreWithScoresAsync(
                keys.ReceiptIndex(funnel.Mark), lowest, highest, exclude, Order.Descending, skip, count);
            read += entries.Length;
            skip += entries.Length;
            // Members at the bound's score come in descending byte order: those not below the member last passed were seen.
            var fresh = after is { } seen
                ? entries.Where(e => e.Score < seen.Score || (e.Score == seen.Score && CompareBytes(e.Element.ToString(), seen.Member) < 0)).ToArray()
                : entries;
            if (fresh.Length == 0 && entries.Length == count)
            {
                // Only members already passed (equal scores): read on past them.
                continue;
            }

            if (entries.Length < count)
            {
                funnel.Position = funnel.Position with { Done = true };
            }

            if (fresh.Length > 0)
            {
                var values = await store.ReadAsync(db, [.. fresh.Select(e => (funnel.Mark, e.Element.ToString()))]);
                for (var i = 0; i < fresh.Length; i++)
                {
                    funnel.Buffer.Enqueue(new IndexEntry(fresh[i].Score, fresh[i].Element.ToString(), values[i]));
                }

                funnel.ReadAfter = (fresh[^1].Score, fresh[^1].Element.ToString());
            }

            return Math.Max(read, 1);
        }
    }

    private static bool Matches(MatchReceipt receipt, ReceiptFilter filter) =>
        (filter.Event is null || string.Equals(receipt.TikTokEvent, filter.Event, StringComparison.OrdinalIgnoreCase))
        && (filter.Matched is null || filter.Matched == (receipt.JoinPath is not null))
        && (filter.Status is null || string.Equals(receipt.Status, filter.Status, StringComparison.Ordinal));

    /// <summary>Compares as Redis orders members of one score: by their UTF-8 bytes.</summary>
    internal static int CompareBytes(string a, string b) =>
        Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b));

    private sealed class FunnelReader(string mark, FunnelPosition position)
    {
        public string Mark { get; } = mark;

        /// <summary>The last member handed out (or passed by the filters): the next page starts after it.</summary>
        public FunnelPosition Position { get; set; } = position;

        /// <summary>The last member read into <see cref="Buffer"/> (ahead of <see cref="Position"/>).</summary>
        public (double Score, string Member)? ReadAfter { get; set; }

        public Queue<IndexEntry> Buffer { get; } = new();
    }

    private sealed record IndexEntry(double Score, string Member, MatchReceipt? Receipt);

    /// <summary>Newest first: higher score, then (as Redis orders equal scores in reverse) the greater member.</summary>
    private sealed class IndexEntryOrder : IComparer<IndexEntry>
    {
        public static readonly IndexEntryOrder Instance = new();

        public int Compare(IndexEntry? x, IndexEntry? y) =>
            x is null || y is null ? Comparer<object>.Default.Compare(x, y)
            : x.Score != y.Score ? x.Score.CompareTo(y.Score) : CompareBytes(x.Member, y.Member);
    }
}

/// <summary>Where the listing of one funnel stands: not started, after (score, member), or done.</summary>
internal sealed record FunnelPosition(bool Started, double Score, string Member, bool Done)
{
    public static readonly FunnelPosition Start = new(false, 0, "", false);
    public static readonly FunnelPosition Finished = new(false, 0, "", true);
}

/// <summary>The opaque receipts cursor: base64url of <c>r1</c> and one line per funnel (mark, state, score, base64url member).</summary>
internal static class ReceiptCursor
{
    private const string Version = "r1";

    /// <summary>Longest cursor read: ample for every funnel's position with receipt ids of a few kilobytes.</summary>
    public const int MaxLength = 65_536;

    public static string Write(IReadOnlyDictionary<string, FunnelPosition> positions)
    {
        var text = new StringBuilder(Version);
        foreach (var (mark, position) in positions)
        {
            var state = position.Done ? "d" : position.Started ? "s" : "n";
            text.Append('\n').Append(mark).Append(' ').Append(state).Append(' ')
                .Append(((long)position.Score).ToString(CultureInfo.InvariantCulture)).Append(' ')
                .Append(Base64Url.EncodeToString(Encoding.UTF8.GetBytes(position.Member)));
        }

        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text.ToString()));
    }

    /// <summary>The positions, or null when <paramref name="cursor"/> is not one <see cref="Write"/> produced (never throws).</summary>
    public static Dictionary<string, FunnelPosition>? TryRead(string cursor)
    {
        if (cursor.Length is 0 or > MaxLength || !Base64Url.IsValid(cursor))
        {
            return null;
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (Exception error) when (error is FormatException or ArgumentException)
        {
            return null;
        }

        var lines = text.Split('\n');
        if (lines[0] != Version)
        {
            return null;
        }

        var positions = new Dictionary<string, FunnelPosition>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(1))
        {
            var parts = line.Split(' ');
            if (parts.Length != 4 || parts[0].Length == 0 || positions.ContainsKey(parts[0])
                || !long.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var score)
                || !Base64Url.IsValid(parts[3]))
            {
                return null;
            }

            string member;
            try
            {
                member = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Base64Url.DecodeFromChars(parts[3]));
            }
            catch (Exception error) when (error is FormatException or ArgumentException)
            {
                return null;
            }

            FunnelPosition? position = parts[1] switch
            {
                "n" => FunnelPosition.Start,
                "s" => new FunnelPosition(true, score, member, false),
                "d" => FunnelPosition.Finished,
                _ => null,
            };
            if (position is null)
            {
                return null;
            }

            positions[parts[0]] = position;
        }

        return positions.Count == 0 ? null : positions;
    }
}
