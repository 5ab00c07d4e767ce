using Able.Attribution.Identity;
using Able.Schema.Redis;
using StackExchange.Redis;

namespace Able.Attribution.Erasure;

/// <summary>What one erasure removed (counts of keys and entries).</summary>
public sealed record ErasureReport
{
    public int Visitors { get; init; }

    public int IdentityLinks { get; init; }

    public int Receipts { get; init; }

    public int DeadLetters { get; init; }

    public int PendingDeliveries { get; init; }

    public int IngestEntries { get; init; }
}

/// <summary>The GDPR/CCPA erasure of one person. CONTRACT: to be implemented.</summary>
public sealed class PersonEraser(IConnectionMultiplexer redis, RedisKeys keys)
{
    public Task<ErasureReport> EraseAsync(ContactKey contact) => throw new NotImplementedException($"{redis}{keys}{contact}");
}
