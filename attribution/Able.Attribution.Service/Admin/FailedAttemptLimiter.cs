using System.Collections.Concurrent;
using System.Net;
using Able.Schema.Configuration;
using Microsoft.Extensions.Options;

namespace Able.Attribution.Service.Admin;

/// <summary>
/// Counts wrong admin tokens (API) and wrong console passwords per client address in one-minute windows; once a
/// client has sent <c>Able:Admin:FailedAttemptsPerMinute</c> of them it is refused (429) until its window ends, even
/// with the right token, so the token cannot be guessed at speed. Per replica, in memory; the number of addresses
/// tracked is capped (the oldest windows are dropped first when a flood of addresses fills it).
/// </summary>
public sealed class FailedAttemptLimiter(IOptionsMonitor<AbleOptions> options, TimeProvider time)
{
    /// <summary>Most client addresses tracked at once.</summary>
    public const int MaxTrackedAddresses = 10_000;

    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<IPAddress, Attempts> attempts = new();

    /// <summary>How long <paramref name="client"/> must wait, or null when it may try.</summary>
    public TimeSpan? RetryAfter(IPAddress? client)
    {
        if (client is null || !attempts.TryGetValue(client, out var record))
        {
            return null;
        }

        var now = time.GetUtcNow();
        lock (record)
        {
            var ends = record.WindowStart + Window;
            if (now >= ends)
            {
                return null;
            }

            return record.Count >= options.CurrentValue.Admin.FailedAttemptsPerMinute ? ends - now : null;
        }
    }

    /// <summary>Records one wrong token or password from <paramref name="client"/>.</summary>
    public void RecordFailure(IPAddress? client)
    {
        if (client is null)
        {
            return;
        }

        var now = time.GetUtcNow();
        if (attempts.Count >= MaxTrackedAddresses && !attempts.ContainsKey(client))
        {
            Prune(now);
        }

        var record = attempts.GetOrAdd(client, _ => new Attempts { WindowStart = now });
        lock (record)
        {
            if (now >= record.WindowStart + Window)
            {
                record.WindowStart = now;
                record.Count = 0;
            }

            record.Count++;
        }
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (address, record) in attempts)
        {
            if (now >= record.WindowStart + Window)
            {
                attempts.TryRemove(address, out _);
            }
        }

        // Still full (a flood of distinct addresses inside one minute): forget the oldest half.
        if (attempts.Count >= MaxTrackedAddresses)
        {
            foreach (var (address, _) in attempts.OrderBy(pair => pair.Value.WindowStart).Take(attempts.Count / 2))
            {
                attempts.TryRemove(address, out _);
            }
        }
    }

    private sealed class Attempts
    {
        public DateTimeOffset WindowStart { get; set; }

        public int Count { get; set; }
    }
}
