using Able.Attribution.Identity;
using Able.Attribution.Receipts;
using Able.Schema.Redis;
using Able.Schema.Visitors;
using StackExchange.Redis;

namespace Able.Attribution.Journeys;

/// <summary>One visitor linked to the person: their touches oldest first and the conversions credited to them.</summary>
public sealed record JourneyVisitor(string VisitorId, string? Mark, IReadOnlyList<VisitorTouch> Touches, IReadOnlyList<MatchReceipt> Conversions);

/// <summary>What is known about one person (by the hash of their email or phone); empty lists when nothing is.</summary>
public sealed record Journey(ContactKey Contact, IReadOnlyList<JourneyVisitor> Visitors, IReadOnlyList<MatchReceipt> UnmatchedConversions);

/// <summary>Finds a person's visitors, touches and conversions from the identity links. CONTRACT: to be implemented.</summary>
public sealed class JourneyLookup(IConnectionMultiplexer redis, RedisKeys keys)
{
    public Task<Journey> FindAsync(ContactKey contact) => throw new NotImplementedException($"{redis}{keys}{contact}");
}
