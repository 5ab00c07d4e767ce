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

/// <summary>
/// Finds a person's visitors, touches and conversions from keys named by the person, never by scanning: the identity link
/// of their hash (<c>id:em</c> / <c>id:ph</c>) names a visitor; the receipts their hash was sent with
/// (<see cref="RedisKeys.EmailReceipts"/>) name the visitors those conversions were credited to, and show the conversions
/// no visitor matched. Each visitor's touches are its first touch and the touches list, oldest first; its conversions come
/// from <see cref="RedisKeys.VisitorReceipts"/>.
/// </summary>
public sealed class JourneyLookup(IConnectionMultiplexer redis, RedisKeys keys, ReceiptStore store)
{
    /// <summary>Receipts read per index at most (a person's conversions; far more would be a shared test address).</summary>
    public const int MaxReceiptsPerIndex = 500;

    /// <summary>Visitors shown at most.</summary>
    public const int MaxVisitors = 20;

    public async Task<Journey> FindAsync(ContactKey contact)
    {
        ArgumentNullException.ThrowIfNull(contact);
        var db = redis.GetDatabase();
        var isEmail = contact.Kind == ContactKey.EmailKind;
        var link = db.StringGetAsync(isEmail ? keys.EmailLink(contact.Sha256) : keys.PhoneLink(contact.Sha256));
        var byContact = ReadIndexAsync(db, isEmail ? keys.EmailReceipts(contact.Sha256) : keys.PhoneReceipts(contact.Sha256));
        var linked = (string?)await link;
        var contactReceipts = await byContact;

        var visitorIds = new List<string>();
        if (linked is not null && VisitorId.IsWellFormed(linked))
        {
            visitorIds.Add(linked);
        }

        visitorIds.AddRange(contactReceipts.Select(r => r.VisitorId).OfType<string>().Where(v => VisitorId.IsWellFormed(v)));
        var visitors = new List<JourneyVisitor>();
        foreach (var visitorId in visitorIds.Distinct(StringComparer.Ordinal).Take(MaxVisitors))
        {
            if (await ReadVisitorAsync(db, visitorId) is { } visitor)
            {
                visitors.Add(visitor);
            }
        }

        var unmatched = contactReceipts.Where(r => r.VisitorId is null).OrderByDescending(r => r.UpdatedAt).ToList();
        return new Journey(contact, visitors, unmatched);
    }

    /// <summary>The visitor's touches and conversions; null when neither is stored (expired or erased).</summary>
    private async Task<JourneyVisitor?> ReadVisitorAsync(IDatabaseAsync db, string visitorId)
    {
        var hash = db.HashGetAllAsync(keys.Visitor(visitorId));
        var list = db.ListRangeAsync(keys.VisitorTouches(visitorId));
        var conversions = ReadIndexAsync(db, keys.VisitorReceipts(visitorId));
        await Task.WhenAll(hash, list, conversions);
        var fields = (await hash).ToDictionary(e => e.Name.ToString(), e => e.Value, StringComparer.Ordinal);
        var touches = new List<VisitorTouch>();
        foreach (var stored in new[] { fields.GetValueOrDefault(VisitorFields.FirstTouch), fields.GetValueOrDefault(VisitorFields.LegacyLastTouch) }.Concat(await list))
        {
            if (SafeTouch(stored) is { } touch && !touches.Exists(t => t.At == touch.At && t.Url == touch.Url && t.Kind == touch.Kind))
            {
                touches.Add(touch);
            }
        }

        var receipts = await conversions;
        if (fields.Count == 0 && touches.Count == 0 && receipts.Count == 0)
        {
            return null;
        }

        var mark = fields.GetValueOrDefault(VisitorFields.Mark) is { IsNullOrEmpty: false } stored2 ? stored2.ToString() : receipts.Count > 0 ? receipts[0].Mark : null;
        return new JourneyVisitor(visitorId, mark, [.. touches.OrderBy(t => t.At)], [.. receipts.OrderBy(r => r.EventTime ?? r.UpdatedAt / 1000).ThenBy(r => r.UpdatedAt)]);
    }

    /// <summary>The receipts a person index names, newest first (at most <see cref="MaxReceiptsPerIndex"/>); expired ones are left out.</summary>
    private async Task<IReadOnlyList<MatchReceipt>> ReadIndexAsync(IDatabaseAsync db, RedisKey index)
    {
        var members = await db.SortedSetRangeByRankAsync(index, 0, MaxReceiptsPerIndex - 1, Order.Descending);
        var named = members
            .Select(m => ReceiptStore.TryReadPersonIndexMember(m.ToString(), out var mark, out var id) ? (mark, id) : default((string Mark, string Id)?))
            .OfType<(string Mark, string Id)>()
            .ToArray();
        if (named.Length == 0)
        {
            return [];
        }

        return [.. (await store.ReadAsync(db, named)).OfType<MatchReceipt>()];
    }

    private static VisitorTouch? SafeTouch(RedisValue json)
    {
        try
        {
            return json.IsNullOrEmpty ? null : VisitorTouch.FromJson(json.ToString());
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
