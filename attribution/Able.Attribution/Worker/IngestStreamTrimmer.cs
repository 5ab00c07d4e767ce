using System.Globalization;
using Able.Schema.Configuration;
using Able.Schema.Redis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Able.Attribution.Worker;

/// <summary>
/// Keeps the ingest stream from growing without end: entries older than <c>Able:Worker:StreamRetentionMinutes</c>
/// are trimmed (XTRIM MINID), but never an entry the worker group has not read yet or still holds pending, nor
/// anything after it, so trimming can never lose an accepted delivery.
/// </summary>
internal sealed class IngestStreamTrimmer(IConnectionMultiplexer redis, RedisKeys keys, IOptionsMonitor<AbleOptions> options, TimeProvider time)
{
    /// <summary>Trims once; returns the MINID used, or null when there was nothing it could safely trim.</summary>
    public async Task<string?> TrimAsync()
    {
        var db = redis.GetDatabase();
        if (!await db.KeyExistsAsync(keys.IngestStream))
        {
            return null;
        }

        var groups = await db.StreamGroupInfoAsync(keys.IngestStream);
        if (!groups.Any(g => g.Name == RedisKeys.WorkerGroup))
        {
            return null;
        }

        var group = groups.First(g => g.Name == RedisKeys.WorkerGroup);
        var retention = TimeSpan.FromMinutes(options.CurrentValue.Worker.StreamRetentionMinutes);
        var cutoff = (Milliseconds: (time.GetUtcNow() - retention).ToUnixTimeMilliseconds(), Sequence: 0L);

        // Entries after the group's last-delivered id are unread; the lowest pending id is unacknowledged.
        var bound = Min(cutoff, Parse(group.LastDeliveredId) is { } delivered ? (delivered.Milliseconds, delivered.Sequence + 1) : (0, 0));
        var pending = await db.StreamPendingAsync(keys.IngestStream, RedisKeys.WorkerGroup);
        if (pending.PendingMessageCount > 0 && Parse(pending.LowestPendingMessageId) is { } lowest)
        {
            bound = Min(bound, lowest);
        }

        if (bound == (0, 0))
        {
            return null;
        }

        var minId = string.Create(CultureInfo.InvariantCulture, $"{bound.Milliseconds}-{bound.Sequence}");
        await db.ExecuteAsync("XTRIM", keys.IngestStream, "MINID", minId);
        return minId;
    }

    private static (long Milliseconds, long Sequence) Min((long Milliseconds, long Sequence) a, (long Milliseconds, long Sequence) b) =>
        a.Milliseconds < b.Milliseconds || (a.Milliseconds == b.Milliseconds && a.Sequence <= b.Sequence) ? a : b;

    private static (long Milliseconds, long Sequence)? Parse(RedisValue id)
    {
        var text = id.ToString();
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        return dash > 0
            && long.TryParse(text.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            && long.TryParse(text.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var seq)
                ? (ms, seq)
                : null;
    }
}
