using Able.Schema.Redis;
using StackExchange.Redis;

namespace Able.Attribution.Delivery;

public enum ReplayResult
{
    /// <summary>Queued for delivery again (the dead letter is gone; its receipt will show the outcome).</summary>
    Queued,

    /// <summary>No such dead letter (never was, discarded, or already replayed).</summary>
    NotFound,

    /// <summary>The entry holds nothing that can be sent again (an unreadable job).</summary>
    NotReplayable,
}

public sealed record ReplayOutcome(string DeadLetterId, ReplayResult Result, string? Detail);

/// <summary>A page of the dead-letter stream, oldest first.</summary>
public sealed record DeadLetterPage(IReadOnlyList<DeadLetter> Items, string? NextCursor);

/// <summary>The admin side of the dead-letter stream: list, replay (at most once each), discard. CONTRACT: to be implemented.</summary>
public sealed class DeadLetterReplay(IConnectionMultiplexer redis, RedisKeys keys, DeadLetters deadLetters, DeliveryStore store, TimeProvider time)
{
    public Task<DeadLetterPage> ListAsync(string? mark, int limit, string? cursor) => throw new NotImplementedException($"{redis}{keys}{deadLetters}{store}{time}{mark}{limit}{cursor}");

    public Task<DeadLetter?> GetAsync(string deadLetterId) => throw new NotImplementedException(deadLetterId);

    public Task<ReplayOutcome> ReplayAsync(string deadLetterId) => throw new NotImplementedException(deadLetterId);

    /// <summary>Replays every dead letter (of one funnel when <paramref name="mark"/> is set).</summary>
    public Task<IReadOnlyList<ReplayOutcome>> ReplayAllAsync(string? mark) => throw new NotImplementedException(mark);

    /// <summary>Deletes the dead letter; false when there was none.</summary>
    public Task<bool> DiscardAsync(string deadLetterId) => throw new NotImplementedException(deadLetterId);
}
