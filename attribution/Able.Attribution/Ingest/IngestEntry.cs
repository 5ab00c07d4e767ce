namespace Able.Attribution.Ingest;

/// <summary>
/// Field names of one entry in the ingest stream (<see cref="Redis.RedisKeys.IngestStream"/>). The ingress
/// writes an entry only after verifying and validating a delivery, and answers 2xx only after Redis
/// acknowledged the XADD; the worker consumes entries with a consumer group. An entry holds no raw contact data:
/// the ingress stores the delivery's <see cref="Facts"/> (README, "Privacy: what is stored at rest").
/// </summary>
public static class IngestEntry
{
    /// <summary><see cref="Sources"/>: calendly, stripe or api.</summary>
    public const string Source = "source";

    /// <summary>Funnel mark.</summary>
    public const string Mark = "funnel";

    /// <summary>The source's event type: <c>invitee.created</c>, <c>checkout.session.completed</c>, or the conversion's event name.</summary>
    public const string SourceEvent = "type";

    /// <summary>Unix milliseconds when the ingress accepted it.</summary>
    public const string ReceivedAt = "received_at";

    /// <summary>The delivery as <see cref="IngestFacts"/> (UTF-8 JSON): parsed, contact data hashed, nothing else personal.</summary>
    public const string Facts = "facts";

    /// <summary>
    /// The exact raw bytes of the delivery, as versions before <see cref="Facts"/> wrote it. Still processed; the worker
    /// deletes such an entry from the stream once its outcome is stored, and a poison dead letter keeps its facts instead.
    /// </summary>
    public const string Body = "body";

    /// <summary>
    /// On a replayed dead letter (<see cref="Delivery.DeadLetters.ReplayAsync"/>): the id of the entry it replays. The
    /// worker reserves the delivery for that entry, so an entry that failed after its delivery was reserved is sent
    /// when replayed instead of being refused as a duplicate of itself. Only the worker's own replay writes it.
    /// </summary>
    public const string ReplayOf = "replay_of";

    public static class Sources
    {
        public const string Calendly = "calendly";
        public const string Stripe = "stripe";
        public const string ConversionsApi = "api";
    }
}
