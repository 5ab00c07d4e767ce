using Able.Schema.Stats;
using StackExchange.Redis;

namespace Able.Schema.Redis;

/// <summary>
/// The Redis layout, the one place key names are built (README, "Operations: sizing Redis", says which keys
/// may be evicted). Every key starts with the configured prefix; keys that are touched
/// together share a hash tag (<c>{v:&lt;vid&gt;}</c>) so the layout also works on Redis Cluster.
/// </summary>
public sealed class RedisKeys(string prefix)
{
    public string Prefix { get; } = prefix;

    /// <summary>Hash of one visitor: first and last touch, newest click, cookies, contact hashes.</summary>
    public RedisKey Visitor(string visitorId) => $"{Prefix}{{v:{visitorId}}}";

    /// <summary>Capped list of one visitor's touches, newest first.</summary>
    public RedisKey VisitorTouches(string visitorId) => $"{Prefix}{{v:{visitorId}}}:touches";

    /// <summary>Identity link: SHA-256 of a normalised email → visitor id.</summary>
    public RedisKey EmailLink(string emailSha256) => $"{Prefix}id:em:{emailSha256}";

    /// <summary>Identity link: SHA-256 of an E.164 phone number → visitor id.</summary>
    public RedisKey PhoneLink(string phoneSha256) => $"{Prefix}id:ph:{phoneSha256}";

    /// <summary>Identity link: Calendly invitee uuid → visitor id.</summary>
    public RedisKey InviteeLink(string inviteeUuid) => $"{Prefix}id:inv:{inviteeUuid}";

    /// <summary>
    /// Unix ms of the last Calendly webhook of a funnel the ingress accepted and queued (<c>./able calendly status</c> shows it).
    /// Written fire-and-forget; losing it (eviction) loses nothing but that line.
    /// </summary>
    public RedisKey CalendlyLastDelivery(string mark) => $"{Prefix}calendly:{mark}:last-delivery";

    /// <summary>Unix ms of the last Stripe webhook of a funnel the ingress queued (as <see cref="CalendlyLastDelivery"/>).</summary>
    public RedisKey StripeLastDelivery(string mark) => $"{Prefix}stripe:{mark}:last-delivery";

    /// <summary>Unix ms of the last conversions API request of a funnel the ingress queued (as <see cref="CalendlyLastDelivery"/>).</summary>
    public RedisKey ConversionsApiLastDelivery(string mark) => $"{Prefix}api:{mark}:last-delivery";

    /// <summary>The last-delivery note of <paramref name="source"/> (calendly, stripe or api) for a funnel.</summary>
    public RedisKey LastDelivery(string source, string mark) => source switch
    {
        LastDeliverySources.Calendly => CalendlyLastDelivery(mark),
        LastDeliverySources.Stripe => StripeLastDelivery(mark),
        LastDeliverySources.ConversionsApi => ConversionsApiLastDelivery(mark),
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, "Not an ingress source."),
    };

    /// <summary>
    /// Hash of a funnel's numbers of one UTC day (<see cref="FunnelStatsFields"/>), kept 400 days after its last write. All
    /// of a funnel's counter keys share the hash tag <c>{stats:&lt;mark&gt;}</c>, so the counter script also runs on Redis Cluster.
    /// </summary>
    public RedisKey FunnelStats(string mark, DateOnly day) => $"{Prefix}{{stats:{mark}}}:{StatsUpdate.DayText(day)}";

    /// <summary>Hash of a funnel's campaign rows of one UTC day (<see cref="CampaignRows"/>), capped and kept as <see cref="FunnelStats"/>.</summary>
    public RedisKey CampaignStats(string mark, DateOnly day) => $"{Prefix}{{stats:{mark}}}:campaigns:{StatsUpdate.DayText(day)}";

    /// <summary>
    /// Once-marker hash of one receipt (or ingest entry): a field per counted step, so a step that runs again counts nothing
    /// twice. Kept for the funnel's retention, like the receipt.
    /// </summary>
    public RedisKey StatsCounted(string mark, string receiptId) => $"{Prefix}{{stats:{mark}}}:counted:{receiptId}";

    /// <summary>Stream of accepted webhooks and conversions, consumed by the worker.</summary>
    public RedisKey IngestStream => $"{Prefix}ingest";

    /// <summary>Consumer group of the attribution worker on <see cref="IngestStream"/>.</summary>
    public const string WorkerGroup = "able-worker";

    /// <summary>Sorted set of pending TikTok deliveries (member: delivery id), scored by due time in Unix ms.</summary>
    public RedisKey DeliverySchedule => $"{Prefix}delivery:schedule";

    /// <summary>
    /// JSON of one pending delivery: the built event, attempts, first attempt time. No TTL (an evicted job would
    /// be a lost conversion): written and deleted together with its <see cref="DeliverySchedule"/> member.
    /// </summary>
    public RedisKey DeliveryJob(string deliveryId) => $"{Prefix}delivery:job:{deliveryId}";

    /// <summary>
    /// Dedup ledger entry for pixel + event + event_id: queued, sent or dead. No TTL (an evicted entry would let a
    /// duplicate through): it expires through <see cref="DeliveryLedgerExpiry"/> and the worker's ledger cleanup.
    /// </summary>
    public RedisKey DeliveryLedger(string deliveryId) => $"{Prefix}delivery:ledger:{deliveryId}";

    /// <summary>Sorted set of delivery ids with a ledger entry, scored by when that entry expires (Unix ms).</summary>
    public RedisKey DeliveryLedgerExpiry => $"{Prefix}delivery:ledger-expiry";

    /// <summary>Stream of permanently failed deliveries with reason and TikTok's message.</summary>
    public RedisKey DeadLetterStream => $"{Prefix}deadletter";

    /// <summary>Match receipt of one conversion (JSON), kept for the funnel's retention.</summary>
    public RedisKey Receipt(string mark, string receiptId) => $"{Prefix}receipt:{mark}:{receiptId}";

    /// <summary>
    /// The GA4 outcome of one conversion (JSON), beside its <see cref="Receipt"/> and kept as long: written only by GA4
    /// delivery, so the TikTok and GA4 sides never overwrite each other's outcome; receipts are read with it.
    /// </summary>
    public RedisKey Ga4Receipt(string mark, string receiptId) => $"{Prefix}receipt-ga4:{mark}:{receiptId}";

    /// <summary>Sorted set of a funnel's receipt ids by last update (Unix ms), newest last.</summary>
    public RedisKey ReceiptIndex(string mark) => $"{Prefix}receipts:{mark}";

    /// <summary>
    /// Sorted set of the receipts credited to one visitor (member <c>&lt;mark&gt;:&lt;receipt id&gt;</c>, score: last update,
    /// Unix ms), in the visitor's hash tag; written with each receipt that has a visitor id, kept for the funnel's retention.
    /// The journey and erasure read it.
    /// </summary>
    public RedisKey VisitorReceipts(string visitorId) => $"{Prefix}{{v:{visitorId}}}:receipts";

    /// <summary>
    /// Sorted set of the receipts whose sent event carries this email hash (member <c>&lt;mark&gt;:&lt;receipt id&gt;</c>), so
    /// the journey shows conversions no visitor matched and erasure finds every receipt holding the hash.
    /// </summary>
    public RedisKey EmailReceipts(string emailSha256) => $"{Prefix}contact-receipts:em:{emailSha256}";

    /// <summary>As <see cref="EmailReceipts"/>, for the hash of an E.164 phone number.</summary>
    public RedisKey PhoneReceipts(string phoneSha256) => $"{Prefix}contact-receipts:ph:{phoneSha256}";

    /// <summary>The Calendly subscription watchdog's lock (value: the holder), so one replica at a time checks and repairs.</summary>
    public RedisKey CalendlyWatchdogLock => $"{Prefix}calendly:watchdog-lock";

    /// <summary>
    /// The console's ASP.NET Core Data Protection key ring (an XML list), shared by every attribution replica so a
    /// cookie or form token made by one opens on the next. No TTL: losing it logs every console user out.
    /// </summary>
    public RedisKey DataProtectionKeys => $"{Prefix}admin:dataprotection-keys";

    /// <summary>
    /// Prefix of the <c>IDistributedCache</c> entries (console sessions, the short-lived report cache), each with its own
    /// expiry.
    /// </summary>
    public string CacheKeyPrefix => $"{Prefix}admin:cache:";
}
