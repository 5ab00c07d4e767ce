using Able.Attribution.Conversions;
using Able.Schema.Redis;
using Able.Schema.Visitors;
using StackExchange.Redis;

namespace Able.Attribution.Visitors;

/// <summary>Which visitor a conversion belongs to, and how that was decided.</summary>
/// <param name="Visitor">The visitor, or null when no join matched.</param>
/// <param name="JoinPath">How: <c>carrier:salesforce_uuid</c>, <c>invitee_link</c>, <c>email</c>, <c>phone</c>; null when none.</param>
/// <param name="NoJoinReason">Why no join matched, for the receipt.</param>
public sealed record VisitorResolution(VisitorProfile? Visitor, string? JoinPath, string? NoJoinReason);

/// <summary>
/// Finds the visitor behind a conversion, exact joins first (README, "How a visitor is found"): the carried visitor id →
/// the invitee uuid linked by the booking-confirmation capture → email hash link → phone hash link.
/// Afterwards <see cref="RecordContactsAsync"/> links the contact hashes to the visitor so later purchases find it.
/// </summary>
public sealed class VisitorResolver(IConnectionMultiplexer redis, RedisKeys keys)
{
    public async Task<VisitorResolution> ResolveAsync(Conversion conversion)
    {
        ArgumentNullException.ThrowIfNull(conversion);
        var db = redis.GetDatabase();
        var tried = new List<string>();

        if (conversion.CarriedVisitorId is { } carried)
        {
            if (VisitorId.IsWellFormed(carried) && await VisitorProfile.ReadAsync(db, keys, carried) is { } byCarrier)
            {
                return new VisitorResolution(byCarrier, $"carrier:{conversion.CarrierName}", null);
            }

            tried.Add(VisitorId.IsWellFormed(carried) ? $"{conversion.CarrierName} names an unknown visitor" : $"{conversion.CarrierName} is not a visitor id");
        }
        else if (conversion.CarrierName is not null)
        {
            tried.Add($"no {conversion.CarrierName}");
        }

        if (conversion.InviteeUuid is { } invitee)
        {
            if (await FollowAsync(db, keys.InviteeLink(invitee)) is { } byInvitee)
            {
                return new VisitorResolution(byInvitee, "invitee_link", null);
            }

            tried.Add("no confirmation link for the invitee");
        }

        foreach (var hash in conversion.EmailHashes)
        {
            if (await FollowAsync(db, keys.EmailLink(hash)) is { } byEmail)
            {
                return new VisitorResolution(byEmail, "email", null);
            }
        }

        tried.Add(conversion.EmailHashes.Count == 0 ? "no email" : "email not linked to a visitor");
        foreach (var hash in conversion.PhoneHashes)
        {
            if (await FollowAsync(db, keys.PhoneLink(hash)) is { } byPhone)
            {
                return new VisitorResolution(byPhone, "phone", null);
            }
        }

        tried.Add(conversion.PhoneHashes.Count == 0 ? "no phone" : "phone not linked to a visitor");
        return new VisitorResolution(null, null, string.Join("; ", tried));
    }

    /// <summary>
    /// Records the conversion's email/phone hashes (and invitee uuid) on the visitor and links them to it,
    /// with the funnel's retention as expiry. The hashes are added with <see cref="VisitorContactHashes"/>, so
    /// one the gateway or another conversion added since <paramref name="visitor"/> was read is kept.
    /// </summary>
    public async Task RecordContactsAsync(VisitorProfile visitor, Conversion conversion, TimeSpan retention)
    {
        ArgumentNullException.ThrowIfNull(visitor);
        ArgumentNullException.ThrowIfNull(conversion);
        var db = redis.GetDatabase();

        // Added inside Redis, not merged into the profile read earlier and written back: the gateway adds email
        // hashes to the same field and another conversion may be recorded at the same time.
        var writes = new List<Task>
        {
            VisitorContactHashes.AppendAsync(db, keys, visitor.VisitorId, VisitorFields.EmailHashes, conversion.EmailHashes),
            VisitorContactHashes.AppendAsync(db, keys, visitor.VisitorId, VisitorFields.PhoneHashes, conversion.PhoneHashes),
        };
        writes.AddRange(conversion.EmailHashes.Select(h => db.StringSetAsync(keys.EmailLink(h), visitor.VisitorId, retention)));
        writes.AddRange(conversion.PhoneHashes.Select(h => db.StringSetAsync(keys.PhoneLink(h), visitor.VisitorId, retention)));
        if (conversion.InviteeUuid is { } invitee)
        {
            writes.Add(db.StringSetAsync(keys.InviteeLink(invitee), visitor.VisitorId, retention, When.NotExists));
        }

        await Task.WhenAll(writes);
    }

    private async Task<VisitorProfile?> FollowAsync(IDatabaseAsync db, RedisKey link)
    {
        var vid = (string?)await db.StringGetAsync(link);
        return vid is not null && VisitorId.IsWellFormed(vid) ? await VisitorProfile.ReadAsync(db, keys, vid) : null;
    }
}
