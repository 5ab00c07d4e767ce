using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;

namespace Able.Attribution.Ingest;

/// <summary>What the ingress does with a verified webhook body.</summary>
public enum EnvelopeVerdict
{
    /// <summary>A well-formed event this system records: queue it.</summary>
    Accept,

    /// <summary>A well-formed event of a type this system does not use: answer 2xx, count it, do not queue.</summary>
    Ignore,

    /// <summary>Not JSON, or not the sender's envelope: 400 with <see cref="EnvelopeCheck.Problem"/>.</summary>
    Malformed,
}

/// <summary>The outcome of checking one webhook body.</summary>
public sealed record EnvelopeCheck(EnvelopeVerdict Verdict, string? SourceEvent, string? Problem)
{
    internal static EnvelopeCheck Bad(string problem) => new(EnvelopeVerdict.Malformed, null, problem);
}

/// <summary>
/// Shape checks for Calendly and Stripe webhook bodies, done after the signature and before queueing.
/// They are deliberately shallow: the worker parses the payload leniently, so unknown fields never fail
/// here; only what every consumer relies on is required. Problems never quote body values.
/// </summary>
public static class WebhookEnvelope
{
    /// <summary>Calendly events that are queued (reference: Calendly webhook deliveries).</summary>
    public static readonly FrozenSet<string> CalendlyEvents = FrozenSet.Create(
        StringComparer.Ordinal, "invitee.created", "invitee.canceled", "invitee_no_show.created", "invitee_no_show.deleted");

    /// <summary>Stripe events that are queued; other types are acknowledged and ignored.</summary>
    public static readonly FrozenSet<string> StripeEvents = FrozenSet.Create(
        StringComparer.Ordinal, "checkout.session.completed", "invoice.paid", "charge.refunded");

    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = 64 };

    /// <summary>
    /// <c>{"event": "...", "created_at": "&lt;ISO 8601&gt;", "payload": {...}}</c>; invitee events also need
    /// <c>payload.uri</c> (the invitee URI, the worker's idempotency key).
    /// </summary>
    public static EnvelopeCheck CheckCalendly(ReadOnlyMemory<byte> body) =>
        Check(body, "a Calendly webhook envelope", CheckCalendly, IngestEntry.Sources.Calendly, null, out _);

    /// <summary>
    /// <see cref="CheckCalendly(ReadOnlyMemory{byte})"/>, and for an accepted delivery its facts
    /// (<see cref="IngestFacts.Parse"/> with <paramref name="defaultPhoneRegion"/>) read from the same parse of the body.
    /// </summary>
    public static EnvelopeCheck CheckCalendly(ReadOnlyMemory<byte> body, string defaultPhoneRegion, out IngestFacts? facts) =>
        Check(body, "a Calendly webhook envelope", CheckCalendly, IngestEntry.Sources.Calendly, defaultPhoneRegion, out facts);

    /// <summary><c>{"id": "evt_...", "type": "...", "created": &lt;unix&gt;, "data": {"object": {...}}}</c>.</summary>
    public static EnvelopeCheck CheckStripe(ReadOnlyMemory<byte> body) =>
        Check(body, "a Stripe event", CheckStripe, IngestEntry.Sources.Stripe, null, out _);

    /// <summary>
    /// <see cref="CheckStripe(ReadOnlyMemory{byte})"/>, and for an accepted event its facts (<see cref="IngestFacts.Parse"/>
    /// with <paramref name="defaultPhoneRegion"/>) read from the same parse of the body.
    /// </summary>
    public static EnvelopeCheck CheckStripe(ReadOnlyMemory<byte> body, string defaultPhoneRegion, out IngestFacts? facts) =>
        Check(body, "a Stripe event", CheckStripe, IngestEntry.Sources.Stripe, defaultPhoneRegion, out facts);

    /// <summary>
    /// Parses the body once, checks its root with <paramref name="checkRoot"/> and, when it is accepted and
    /// <paramref name="defaultPhoneRegion"/> is given, reads its facts from that same document.
    /// </summary>
    private static EnvelopeCheck Check(
        ReadOnlyMemory<byte> body, string what, Func<JsonElement, EnvelopeCheck> checkRoot, string source, string? defaultPhoneRegion, out IngestFacts? facts)
    {
        facts = null;
        if (!TryParseObject(body, what, out var document, out var problem))
        {
            return EnvelopeCheck.Bad(problem);
        }

        using (document)
        {
            var check = checkRoot(document.RootElement);
            if (check.Verdict == EnvelopeVerdict.Accept && defaultPhoneRegion is not null)
            {
                // The envelope's parse is the one IngestFacts.Parse would make (same bytes, same options): read, not parsed again.
                facts = IngestFacts.Read(source, document.RootElement, defaultPhoneRegion);
            }

            return check;
        }
    }

    private static EnvelopeCheck CheckCalendly(JsonElement root)
    {
        if (!TryGetNonEmptyString(root, "event", out var eventType))
        {
            return EnvelopeCheck.Bad("event must be a non-empty string such as invitee.created");
        }

        if (!TryGetNonEmptyString(root, "created_at", out var createdAt)
            || !DateTimeOffset.TryParse(createdAt, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _))
        {
            return EnvelopeCheck.Bad("created_at must be an ISO 8601 timestamp");
        }

        if (!root.TryGetProperty("payload", out var payload) || payload.ValueKind != JsonValueKind.Object)
        {
            return EnvelopeCheck.Bad("payload must be a JSON object");
        }

        if (!CalendlyEvents.Contains(eventType))
        {
            return new EnvelopeCheck(EnvelopeVerdict.Ignore, eventType, null);
        }

        if (eventType.StartsWith("invitee.", StringComparison.Ordinal)
            && (!TryGetNonEmptyString(payload, "uri", out var uri) || !Uri.TryCreate(uri, UriKind.Absolute, out _)))
        {
            return EnvelopeCheck.Bad("payload.uri must be the invitee URI for invitee events");
        }

        return new EnvelopeCheck(EnvelopeVerdict.Accept, eventType, null);
    }

    private static EnvelopeCheck CheckStripe(JsonElement root)
    {
        if (!TryGetNonEmptyString(root, "id", out _))
        {
            return EnvelopeCheck.Bad("id must be the Stripe event id (evt_...)");
        }

        if (!TryGetNonEmptyString(root, "type", out var eventType))
        {
            return EnvelopeCheck.Bad("type must be a non-empty string such as checkout.session.completed");
        }

        if (!root.TryGetProperty("created", out var created) || created.ValueKind != JsonValueKind.Number || !created.TryGetInt64(out _))
        {
            return EnvelopeCheck.Bad("created must be a Unix timestamp (integer seconds)");
        }

        if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object
            || !data.TryGetProperty("object", out var dataObject) || dataObject.ValueKind != JsonValueKind.Object)
        {
            return EnvelopeCheck.Bad("data.object must be a JSON object");
        }

        return new EnvelopeCheck(StripeEvents.Contains(eventType) ? EnvelopeVerdict.Accept : EnvelopeVerdict.Ignore, eventType, null);
    }

    private static bool TryParseObject(ReadOnlyMemory<byte> body, string what, out JsonDocument document, out string problem)
    {
        document = null!;
        if (!JsonBody.TryParse(body, ParseOptions, out var parsed, out problem))
        {
            return false;
        }

        if (parsed.RootElement.ValueKind != JsonValueKind.Object)
        {
            problem = $"body must be a JSON object ({what}), not {JsonBody.Describe(parsed.RootElement.ValueKind)}";
            parsed.Dispose();
            return false;
        }

        document = parsed;
        return true;
    }

    private static bool TryGetNonEmptyString(JsonElement element, string name, out string value)
    {
        value = "";
        if (element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.String)
        {
            value = JsonBody.DecodeOrNull(property) ?? "";
        }

        return value.Length > 0;
    }
}
