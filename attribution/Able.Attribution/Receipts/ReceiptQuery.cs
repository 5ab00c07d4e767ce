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

/// <summary>Pages through the funnels' receipt indexes with filters. CONTRACT: to be implemented.</summary>
public sealed class ReceiptQuery(IConnectionMultiplexer redis, RedisKeys keys, IOptionsMonitor<AbleOptions> options)
{
    /// <summary>A page of receipts matching <paramref name="filter"/>; false with the problem when the cursor is not one this produced.</summary>
    public Task<(ReceiptPage? Page, string? Problem)> QueryAsync(ReceiptFilter filter) => throw new NotImplementedException($"{redis}{keys}{options}{filter}");
}
