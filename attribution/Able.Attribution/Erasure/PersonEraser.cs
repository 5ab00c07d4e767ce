using System.Text;
using Able.Attribution.Conversions;
using Able.Attribution.Delivery;
using Able.Attribution.Identity;
using Able.Attribution.Ingest;
using Able.Attribution.Receipts;
using Able.Schema.Configuration;
using Able.Schema.Identity;
using Able.Schema.Redis;
using Able.Schema.Visitors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
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

    /// <summary>Passes run: a pass after one that removed something looks again for what a worker wrote meanwhile.</summary>
    public int Passes { get; init; }

    public bool RemovedAnything => Visitors + IdentityLinks + Receipts + DeadLetters + PendingDeliveries + IngestEntries > 0;

    public static ErasureReport operator +(ErasureReport a, ErasureReport b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return new ErasureReport
        {
            Visitors = a.Visitors + b.Visitors,
            IdentityLinks = a.IdentityLinks + b.IdentityLinks,
            Receipts = a.Receipts + b.Receipts,
            DeadLetters = a.DeadLetters + b.DeadLetters,
            PendingDeliveries = a.PendingDeliveries + b.PendingDeliveries,
            IngestEntries = a.IngestEntries + b.IngestEntries,
            Passes = a.Passes + b.Passes,
        };
    }
}

/// <summary>
/// The GDPR/CCPA erasure of one person, found from the hash of their email or phone and never by scanning keys.
/// <para>
/// <b>Who the person is.</b> Starting from the hash: its identity link names a visitor, and the receipts its hash was
/// sent with (<see cref="RedisKeys.EmailReceipts"/>) name more. Every visitor found is the person's browser, so the other
/// email and phone hashes it holds (<c>em</c>, <c>ph</c>), its confirmed Calendly invitee (<c>inv</c>) and its receipts
/// (<see cref="RedisKeys.VisitorReceipts"/>) are the person's too, and so on, a few rounds and a bounded number of keys.
/// On a browser two people shared, both are erased: more rather than less.
/// </para>
/// <para>
/// <b>What goes.</b> The identity links of every hash and invitee found; each visitor's hash, touches and receipts index;
/// the receipt indexes of every hash; every receipt found (its value and its member of the funnel's index); the pending
/// delivery jobs of those conversions (job and schedule member; the dedup ledger entry stays: it holds the pixel, event and
/// event id, no contact data, and keeps a late duplicate webhook from being sent); the dead letters and ingest stream
/// entries holding any of the hashes, visitor ids (also hashed, as sent in <c>external_id</c>) or invitees. The two
/// streams are walked with XRANGE from start to end: they are not visitor-keyed data (the dead-letter stream is small,
/// the ingest stream holds StreamRetentionMinutes of deliveries), and this is a rare admin request, not a request path.
/// </para>
/// <para>
/// <b>A worker processing the same person meanwhile</b> may have read an ingest entry or claimed a job before the erasure
/// removed it and write a receipt, a link or a visitor's contact hashes after. Inputs are removed before what is derived
/// from them (ingest entries and jobs first), and after a pass that removed anything another pass runs with everything
/// learnt (up to <see cref="MaxPasses"/>): what a worker wrote in between is found again from the visitor ids and hashes.
/// What is written after the last pass (a worker that was mid-way through the person's entry during every pass) is not;
/// erasing again removes it, and the report's <see cref="ErasureReport.Passes"/> says how many passes were needed. A
/// browser that still has the visitor cookie and visits again is captured under the same visitor id, as a new visitor.
/// </para>
/// </summary>
public sealed partial class PersonEraser(IConnectionMultiplexer redis, RedisKeys keys, IOptionsMonitor<AbleOptions> options, ILogger<PersonEraser> logger)
{
    public const int MaxPasses = 3;

    /// <summary>Bounds of one person: beyond these the rest is left (and the erasure can be repeated).</summary>
    public const int MaxVisitors = 50;

    public const int MaxHashes = 200;

    public const int MaxReceipts = 5000;

    private const int StreamPage = 500;

    public async Task<ErasureReport> EraseAsync(ContactKey contact)
    {
        ArgumentNullException.ThrowIfNull(contact);
        var person = new Person();
        (contact.Kind == ContactKey.PhoneKind ? person.Phones : person.Emails).Add(contact.Sha256);
        var report = new ErasureReport();
        for (var pass = 0; pass < MaxPasses; pass++)
        {
            var removed = await ErasePassAsync(person);
            report += removed with { Passes = 1 };
            if (!removed.RemovedAnything)
            {
                break;
            }
        }

        LogErased(logger, contact.Kind, report.Visitors, report.IdentityLinks, report.Receipts, report.DeadLetters, report.PendingDeliveries, report.IngestEntries, report.Passes);
        return report;
    }

    private async Task<ErasureReport> ErasePassAsync(Person person)
    {
        var db = redis.GetDatabase();
        await GatherAsync(db, person);
        // Inputs first: the ingest entries and the jobs a worker would otherwise process again.
        var ingest = await ErasePendingIngestAsync(db, person);
        await GatherAsync(db, person);
        var jobs = await EraseJobsAsync(db, person);
        var deadLetters = await EraseFromStreamAsync(db, keys.DeadLetterStream, person, _ => { });

        var deletes = new List<Task<bool>>();
        var links = new List<Task<bool>>();
        links.AddRange(person.Emails.Select(h => db.KeyDeleteAsync(keys.EmailLink(h))));
        links.AddRange(person.Phones.Select(h => db.KeyDeleteAsync(keys.PhoneLink(h))));
        links.AddRange(person.Invitees.Select(i => db.KeyDeleteAsync(keys.InviteeLink(i))));
        deletes.AddRange(person.Emails.Select(h => db.KeyDeleteAsync(keys.EmailReceipts(h))));
        deletes.AddRange(person.Phones.Select(h => db.KeyDeleteAsync(keys.PhoneReceipts(h))));
        var visitors = person.Visitors.Select(v => db.KeyDeleteAsync([keys.Visitor(v), keys.VisitorTouches(v), keys.VisitorReceipts(v)])).ToList();
        var receipts = person.Receipts.Select(r => db.KeyDeleteAsync(keys.Receipt(r.Mark, r.Id))).ToList();
        deletes.AddRange(person.Receipts.Select(r => db.KeyDeleteAsync(keys.Ga4Receipt(r.Mark, r.Id))));
        deletes.AddRange(person.Receipts.Select(r => db.SortedSetRemoveAsync(keys.ReceiptIndex(r.Mark), r.Id)));
        await Task.WhenAll(deletes.Concat(links).Concat(receipts));
        await Task.WhenAll(visitors);
        return new ErasureReport
        {
            Visitors = visitors.Count(v => v.Result > 0),
            IdentityLinks = links.Count(l => l.Result),
            Receipts = receipts.Count(r => r.Result),
            DeadLetters = deadLetters,
            PendingDeliveries = jobs,
            IngestEntries = ingest,
        };
    }

    /// <summary>Follows links, visitors and receipts from what is known of the person until nothing new turns up (a few rounds).</summary>
    private async Task GatherAsync(IDatabase db, Person person)
    {
        for (var round = 0; round < 5; round++)
        {
            var emails = person.Emails.Except(person.SeenEmails).ToList();
            var phones = person.Phones.Except(person.SeenPhones).ToList();
            var visitors = person.Visitors.Except(person.SeenVisitors).ToList();
            var unread = person.Receipts.Except(person.ReadReceipts).ToList();
            if (emails.Count + phones.Count + visitors.Count + unread.Count == 0)
            {
                return;
            }

            person.SeenEmails.UnionWith(emails);
            person.SeenPhones.UnionWith(phones);
            person.SeenVisitors.UnionWith(visitors);
            var linkReads = emails.Select(h => db.StringGetAsync(keys.EmailLink(h)))
                .Concat(phones.Select(h => db.StringGetAsync(keys.PhoneLink(h)))).ToList();
            var indexReads = emails.Select(h => db.SortedSetRangeByRankAsync(keys.EmailReceipts(h), 0, MaxReceipts - 1))
                .Concat(phones.Select(h => db.SortedSetRangeByRankAsync(keys.PhoneReceipts(h), 0, MaxReceipts - 1)))
                .Concat(visitors.Select(v => db.SortedSetRangeByRankAsync(keys.VisitorReceipts(v), 0, MaxReceipts - 1))).ToList();
            var visitorReads = visitors.Select(v => db.HashGetAsync(keys.Visitor(v), [VisitorFields.EmailHashes, VisitorFields.PhoneHashes, VisitorFields.InviteeUuid])).ToList();
            await Task.WhenAll(linkReads.Cast<Task>().Concat(indexReads).Concat(visitorReads));

            foreach (var link in linkReads)
            {
                person.AddVisitor((string?)link.Result);
            }

            foreach (var fields in visitorReads.Select(r => r.Result))
            {
                person.AddHashes(person.Emails, VisitorProfile.SplitHashes(fields[0]));
                person.AddHashes(person.Phones, VisitorProfile.SplitHashes(fields[1]));
                person.AddInvitee((string?)fields[2]);
            }

            var members = indexReads.SelectMany(r => r.Result)
                .Select(m => ReceiptStore.TryReadPersonIndexMember(m.ToString(), out var mark, out var id) ? (Mark: mark, Id: id) : default)
                .Where(r => r.Id is not null && !person.Receipts.Contains(r))
                .Distinct()
                .Take(Math.Max(0, MaxReceipts - person.Receipts.Count))
                .Concat(unread)
                .ToList();
            var values = await Task.WhenAll(members.Select(m => db.StringGetAsync(keys.Receipt(m.Mark, m.Id))));
            for (var i = 0; i < members.Count; i++)
            {
                person.Receipts.Add(members[i]);
                person.ReadReceipts.Add(members[i]);
                if (ReceiptStore.TryRead(values[i]) is { } receipt)
                {
                    person.Learn(receipt, options.CurrentValue);
                }
            }
        }
    }

    /// <summary>Removes the ingest entries holding the person's data, learning what they name (hashes, invitees, receipts, deliveries).</summary>
    private Task<int> ErasePendingIngestAsync(IDatabase db, Person person) =>
        EraseFromStreamAsync(db, keys.IngestStream, person, entry =>
        {
            if (Classify(entry) is { } conversion)
            {
                person.Learn(conversion, options.CurrentValue);
            }
        });

    /// <summary>XRANGE over a whole stream in pages; XDEL of the entries that hold any of the person's terms. Returns how many went.</summary>
    private async Task<int> EraseFromStreamAsync(IDatabase db, RedisKey stream, Person person, Action<StreamEntry> learn)
    {
        var removed = 0;
        RedisValue after = "-";
        while (true)
        {
            var entries = await db.StreamRangeAsync(stream, after, "+", StreamPage);
            var matching = new List<RedisValue>();
            foreach (var entry in entries)
            {
                if (!entry.IsNull && Holds(entry, person))
                {
                    learn(entry);
                    matching.Add(entry.Id);
                }
            }

            if (matching.Count > 0)
            {
                removed += (int)await db.StreamDeleteAsync(stream, [.. matching]);
            }

            if (entries.Length < StreamPage)
            {
                return removed;
            }

            after = "(" + entries[^1].Id;
        }
    }

    /// <summary>Whether any field of the entry holds one of the person's terms; a raw body (older entries) is read as its facts first.</summary>
    private bool Holds(StreamEntry entry, Person person)
    {
        var terms = person.Terms();
        foreach (var field in entry.Values)
        {
            var text = field.Value.ToString();
            if (terms.Any(t => text.Contains(t, StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return IngestFacts.HoldsRawBody(entry) && Classify(entry) is { } conversion
            && (conversion.EmailHashes.Any(person.Emails.Contains) || conversion.PhoneHashes.Any(person.Phones.Contains)
                || (conversion.CarriedVisitorId is { } carried && person.Visitors.Contains(carried))
                || (conversion.InviteeUuid is { } invitee && person.Invitees.Contains(invitee)));
    }

    /// <summary>An ingest entry's conversion as the worker classifies it; null when it names no configured funnel or cannot be read.</summary>
    private Conversion? Classify(StreamEntry entry)
    {
        string? Field(string name) => entry.Values.FirstOrDefault(v => v.Name == name).Value is { IsNull: false } value ? value.ToString() : null;
        if (options.CurrentValue.FindFunnel(Field(IngestEntry.Mark)) is not { } funnel)
        {
            return null;
        }

        var source = Field(IngestEntry.Source) ?? "";
        var type = Field(IngestEntry.SourceEvent) ?? "";
        try
        {
            var facts = entry.Values.FirstOrDefault(v => v.Name == IngestEntry.Facts).Value;
            if (!facts.IsNull)
            {
                return IngestFacts.TryRead((byte[])facts!, out var read, out _) ? ConversionClassifier.Classify(source, type, read, funnel) : null;
            }

            var body = entry.Values.FirstOrDefault(v => v.Name == IngestEntry.Body).Value;
            return body.IsNull ? null : ConversionClassifier.Classify(source, type, (byte[])body!, funnel);
        }
        catch (Exception error) when (error is System.Text.Json.JsonException or ArgumentException or InvalidOperationException or FormatException or InvalidDataException)
        {
            return null;
        }
    }

    /// <summary>Removes the pending delivery jobs of the person's conversions (job and schedule member together). Returns how many existed.</summary>
    private async Task<int> EraseJobsAsync(IDatabase db, Person person)
    {
        var ids = person.Deliveries.ToList();
        var existing = await Task.WhenAll(ids.Select(id => db.KeyExistsAsync(keys.DeliveryJob(id))));
        var removals = ids.Select(id => db.ScriptEvaluateAsync(RemoveJobScript, [keys.DeliverySchedule, keys.DeliveryJob(id)], [id])).ToList();
        await Task.WhenAll(removals);
        return existing.Count(e => e);
    }

    // As DeliveryStore's RemoveScript: the job and its schedule member go together.
    private const string RemoveJobScript = """
        redis.call('ZREM', KEYS[1], ARGV[1])
        return redis.call('DEL', KEYS[2])
        """;

    [LoggerMessage(EventId = EventIds.PersonErased, Level = LogLevel.Information,
        Message = "Erased a person (by {Kind} hash): {Visitors} visitors, {Links} identity links, {Receipts} receipts, {DeadLetters} dead letters, {Deliveries} pending deliveries, {IngestEntries} ingest entries, in {Passes} passes.")]
    private static partial void LogErased(ILogger logger, string kind, int visitors, int links, int receipts, int deadLetters, int deliveries, int ingestEntries, int passes);

    /// <summary>Everything known to be the person's; grows as the erasure follows links.</summary>
    private sealed class Person
    {
        public HashSet<string> Emails { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Phones { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Visitors { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Invitees { get; } = new(StringComparer.Ordinal);

        public HashSet<(string Mark, string Id)> Receipts { get; } = [];

        public HashSet<(string Mark, string Id)> ReadReceipts { get; } = [];

        public HashSet<string> Deliveries { get; } = new(StringComparer.Ordinal);

        public HashSet<string> SeenEmails { get; } = new(StringComparer.Ordinal);

        public HashSet<string> SeenPhones { get; } = new(StringComparer.Ordinal);

        public HashSet<string> SeenVisitors { get; } = new(StringComparer.Ordinal);

        /// <summary>What an entry holding the person's data contains: hashes, visitor ids (raw and hashed), invitees.</summary>
        public List<string> Terms() =>
        [
            .. Emails, .. Phones, .. Visitors, .. Visitors.Select(v => ContactHashing.HashExternalId(v)!), .. Invitees,
        ];

        public void AddVisitor(string? visitorId)
        {
            if (visitorId is not null && VisitorId.IsWellFormed(visitorId) && Visitors.Count < MaxVisitors)
            {
                Visitors.Add(visitorId);
            }
        }

        public void AddInvitee(string? invitee)
        {
            // Calendly invitees are uuids: anything else (the entry id of a malformed receipt) is not one.
            if (Guid.TryParse(invitee, out _))
            {
                Invitees.Add(invitee);
            }
        }

        public void AddHashes(HashSet<string> set, IEnumerable<string> hashes)
        {
            foreach (var hash in hashes.Where(ContactHashing.IsSha256Hex))
            {
                if (Emails.Count + Phones.Count < MaxHashes)
                {
                    set.Add(hash.ToLowerInvariant());
                }
            }
        }

        public void Learn(MatchReceipt receipt, AbleOptions options)
        {
            AddVisitor(receipt.VisitorId);
            var (emails, phones) = ReceiptStore.ContactHashes(receipt);
            AddHashes(Emails, emails);
            AddHashes(Phones, phones);
            if (receipt.Source == IngestEntry.Sources.Calendly && receipt.Id.LastIndexOf(':') is var colon and > 0)
            {
                AddInvitee(receipt.Id[(colon + 1)..]);
            }

            if (receipt.TikTokEvent is { } tikTokEvent && receipt.EventId is { } eventId)
            {
                Deliveries.Add(DeliveryId(options, receipt.Mark, tikTokEvent, eventId));
                if (options.FindFunnel(receipt.Mark)?.Ga4 is { } ga4)
                {
                    Deliveries.Add(DeliveryJob.Ga4IdFor(ga4.MeasurementId, tikTokEvent, eventId));
                }
            }
        }

        public void Learn(Conversion conversion, AbleOptions options)
        {
            AddVisitor(conversion.CarriedVisitorId);
            AddHashes(Emails, conversion.EmailHashes);
            AddHashes(Phones, conversion.PhoneHashes);
            AddInvitee(conversion.InviteeUuid);
            if (options.FindFunnel(conversion.Mark) is { } funnel)
            {
                Receipts.Add((funnel.Mark, conversion.ReceiptId));
                if (conversion.TikTokEvent is not null && conversion.EventId is not null)
                {
                    Deliveries.Add(DeliveryJob.IdFor(funnel.TikTok.PixelId, conversion));
                    if (funnel.Ga4 is { } ga4)
                    {
                        Deliveries.Add(DeliveryJob.Ga4IdFor(ga4.MeasurementId, conversion));
                    }
                }
            }
        }

        private static string DeliveryId(AbleOptions options, string mark, string tikTokEvent, string eventId)
        {
            var pixel = options.FindFunnel(mark)?.TikTok.PixelId;
            return $"{(string.IsNullOrWhiteSpace(pixel) ? $"funnel-{mark}" : pixel)}:{tikTokEvent}:{eventId}";
        }
    }
}
