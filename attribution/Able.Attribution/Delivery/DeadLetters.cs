using System.Globalization;
using System.Text.RegularExpressions;
using Able.Attribution.Ingest;
using Able.Schema.Redis;
using StackExchange.Redis;

namespace Able.Attribution.Delivery;

/// <summary>
/// One entry of the dead-letter stream: a permanently failed delivery (<see cref="DeadLetters.DeliveryKind"/>), or an
/// ingest entry that failed too often to be processed (<see cref="DeadLetters.IngestKind"/>; then <see cref="EntryId"/>,
/// <see cref="ErrorType"/> and <see cref="EntryFields"/> are set and <see cref="DeliveryId"/> is empty).
/// </summary>
public sealed record DeadLetter(string Id, string DeliveryId, string Mark, string? TikTokEvent, string? EventId, string Reason, long? TikTokCode, string? TikTokMessage, string? Payload)
{
    public string Kind { get; init; } = DeadLetters.DeliveryKind;

    /// <summary>Where a delivery was going: <c>tiktok</c> (also every dead letter written before GA4 existed) or <c>ga4</c>.</summary>
    public string Destination { get; init; } = DeadLetters.TikTokDestination;

    /// <summary>The ingest stream id of a poison entry.</summary>
    public string? EntryId { get; init; }

    /// <summary>The exception type of a poison entry's last failure; null when its deliveries ended without an outcome.</summary>
    public string? ErrorType { get; init; }

    /// <summary>That exception's message, as <see cref="DeadLetters.SafeErrorMessage"/> keeps it.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>How often the ingest entry was delivered to the worker when it was given up.</summary>
    public long? Deliveries { get; init; }

    /// <summary>
    /// A poison entry's fields, byte for byte (an entry written with a raw body, before facts, as its facts instead): add
    /// them to the ingest stream again to replay it.
    /// </summary>
    public IReadOnlyList<NameValueEntry> EntryFields { get; init; } = [];

    /// <summary>The whole delivery job as JSON (dead letters written since replay exists), so a replay can queue it again.</summary>
    public string? Job { get; init; }

    /// <summary>Unix ms when it was dead-lettered.</summary>
    public long? At { get; init; }
}

/// <summary>
/// The dead-letter stream: permanent delivery failures with the reason and TikTok's message, and ingest entries the
/// worker gave up on (poison) with the error and their original fields, for the admin API to replay.
/// </summary>
public sealed partial class DeadLetters(IConnectionMultiplexer redis, RedisKeys keys)
{
    public const string DeliveryKind = "delivery";
    public const string IngestKind = "ingest";

    /// <summary>Field-name prefix of a poison entry's fields (<c>entry.facts</c>, <c>entry.source</c>...).</summary>
    public const string EntryFieldPrefix = "entry.";

    /// <summary>Field of a delivery dead letter naming where it was going: <see cref="TikTokDestination"/> or <see cref="Ga4Destination"/>.</summary>
    public const string DestinationField = "destination";

    public const string TikTokDestination = "tiktok";

    public const string Ga4Destination = "ga4";

    /// <summary>Field of a delivery dead letter holding the whole job (<see cref="DeliveryJob.ToJson"/>).</summary>
    public const string JobField = "job";

    /// <summary>Longest error message kept.</summary>
    public const int MaxErrorMessageLength = 500;

    public Task AddAsync(DeliveryJob job, string reason, long? code, string? message, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(job);
        return redis.GetDatabase().StreamAddAsync(keys.DeadLetterStream,
        [
            new NameValueEntry("kind", DeliveryKind),
            new NameValueEntry(DestinationField, job.Ga4 is null ? TikTokDestination : Ga4Destination),
            new NameValueEntry("delivery_id", job.Id),
            new NameValueEntry("funnel", job.Conversion.Mark),
            new NameValueEntry("event", job.Conversion.TikTokEvent),
            new NameValueEntry("event_id", job.Conversion.EventId),
            new NameValueEntry("reason", reason),
            new NameValueEntry("code", code?.ToString(CultureInfo.InvariantCulture) ?? ""),
            new NameValueEntry("message", message ?? ""),
            new NameValueEntry("payload", (job.Ga4 is { } ga4 ? ga4.Payload : job.Receipt.Payload)?.ToJsonString() ?? ""),
            new NameValueEntry("at", at.ToUnixTimeMilliseconds()),
            new NameValueEntry(JobField, job.ToJson()),
        ]);
    }

    /// <summary>A delivery job whose stored text could not be read, kept as it was stored (it holds hashes only).</summary>
    public Task AddUnreadableJobAsync(string deliveryId, string json, string problem, DateTimeOffset at) =>
        redis.GetDatabase().StreamAddAsync(keys.DeadLetterStream,
        [
            new NameValueEntry("kind", DeliveryKind),
            new NameValueEntry("delivery_id", deliveryId),
            new NameValueEntry("funnel", ""),
            new NameValueEntry("reason", $"the stored job cannot be read: {problem}"),
            new NameValueEntry("payload", json),
            new NameValueEntry("at", at.ToUnixTimeMilliseconds()),
        ]);

    /// <summary>
    /// Keeps an ingest entry the worker gave up on: its id and original fields (so it can be replayed), how often it
    /// was delivered, and the last error as exception type and message (see <see cref="SafeErrorMessage"/>); null
    /// <paramref name="error"/> when the deliveries ended without an outcome (the worker stopped while processing it).
    /// </summary>
    public Task AddPoisonAsync(StreamEntry entry, string funnel, long deliveries, Exception? error, DateTimeOffset at)
    {
        var reason = error is null
            ? $"ingest entry delivered {deliveries} times without an outcome"
            : $"ingest entry failed at delivery {deliveries}: {error.GetType().FullName}";
        var fields = new List<NameValueEntry>
        {
            new("kind", IngestKind),
            new("entry_id", entry.Id),
            new("funnel", funnel),
            new("reason", reason),
            new("error_type", error?.GetType().FullName ?? ""),
            new("error_message", error is null ? "" : SafeErrorMessage(error)),
            new("deliveries", deliveries),
            new("at", at.ToUnixTimeMilliseconds()),
        };
        fields.AddRange(entry.Values.Select(v => new NameValueEntry(EntryFieldPrefix + v.Name, v.Value)));
        return redis.GetDatabase().StreamAddAsync(keys.DeadLetterStream, [.. fields]);
    }

    /// <summary>
    /// Adds a poison dead letter's entry to the ingest stream again (once its cause is fixed), marked
    /// <see cref="IngestEntry.ReplayOf"/> the original entry, so a delivery that entry had reserved is sent rather than
    /// refused as a duplicate; one already sent stays sent. Returns the new entry's id. The dead letter stays, as a record.
    /// </summary>
    public async Task<RedisValue> ReplayAsync(DeadLetter deadLetter)
    {
        ArgumentNullException.ThrowIfNull(deadLetter);
        if (deadLetter.Kind != IngestKind || deadLetter.EntryId is null || deadLetter.EntryFields.Count == 0)
        {
            throw new ArgumentException($"Dead letter {deadLetter.Id} is not an ingest entry; only those can be replayed.", nameof(deadLetter));
        }

        return await redis.GetDatabase().StreamAddAsync(keys.IngestStream, [.. ReplayFields(deadLetter)]);
    }

    /// <summary>The fields a poison dead letter's entry is added to the ingest stream with when replayed (marked <see cref="IngestEntry.ReplayOf"/>).</summary>
    public static IReadOnlyList<NameValueEntry> ReplayFields(DeadLetter deadLetter)
    {
        ArgumentNullException.ThrowIfNull(deadLetter);
        var fields = deadLetter.EntryFields.Where(f => f.Name != IngestEntry.ReplayOf).ToList();
        // A replay of a replay reserves as the first entry.
        var original = deadLetter.EntryFields.FirstOrDefault(f => f.Name == IngestEntry.ReplayOf).Value;
        fields.Add(new NameValueEntry(IngestEntry.ReplayOf, original.IsNullOrEmpty ? deadLetter.EntryId : original));
        return fields;
    }

    public async Task<IReadOnlyList<DeadLetter>> ReadAsync(int count = 100)
    {
        var entries = await redis.GetDatabase().StreamRangeAsync(keys.DeadLetterStream, count: count);
        return [.. entries.Select(FromEntry)];
    }

    /// <summary>One dead-letter stream entry as a <see cref="DeadLetter"/> (missing fields empty or null; never throws).</summary>
    public static DeadLetter FromEntry(StreamEntry e)
    {
        string? Field(string name) => e.Values.FirstOrDefault(v => v.Name == name).Value is { IsNullOrEmpty: false } value ? value.ToString() : null;
        long? Number(string name) => long.TryParse(Field(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : null;
        return new DeadLetter(e.Id.ToString(), Field("delivery_id") ?? "", Field("funnel") ?? "", Field("event"), Field("event_id"), Field("reason") ?? "",
            Number("code"), Field("message"), Field("payload"))
        {
            Kind = Field("kind") ?? DeliveryKind,
            Destination = Field(DestinationField) ?? TikTokDestination,
            EntryId = Field("entry_id"),
            ErrorType = Field("error_type"),
            ErrorMessage = Field("error_message"),
            Deliveries = Number("deliveries"),
            Job = Field(JobField),
            At = Number("at"),
            EntryFields = [.. e.Values
                .Where(v => v.Name.ToString().StartsWith(EntryFieldPrefix, StringComparison.Ordinal))
                .Select(v => new NameValueEntry(v.Name.ToString()[EntryFieldPrefix.Length..], v.Value))],
        };
    }

    public Task<long> DepthAsync() => redis.GetDatabase().StreamLengthAsync(keys.DeadLetterStream);

    /// <summary>
    /// An exception's message as kept in a dead letter: our messages never carry personal data, and anything a
    /// library may have quoted that looks like an email address or a phone number (7+ digits) is masked; at most
    /// <see cref="MaxErrorMessageLength"/> characters, one line.
    /// </summary>
    public static string SafeErrorMessage(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var message = EmailLike().Replace(error.Message, "[email]");
        message = PhoneLike().Replace(message, "[number]");
        message = LineBreaks().Replace(message, " ");
        return message.Length <= MaxErrorMessageLength ? message : message[..MaxErrorMessageLength];
    }

    [GeneratedRegex(@"[^\s@'""<>()\[\],;:]*@[^\s@'""<>()\[\],;:]*")]
    private static partial Regex EmailLike();

    [GeneratedRegex(@"\+?\d(?:[\s().\-/]*\d){6,}")]
    private static partial Regex PhoneLike();

    [GeneratedRegex(@"[\r\n\t]+")]
    private static partial Regex LineBreaks();
}
