using System.Text.Json;
using System.Text.Json.Serialization;
using Able.Attribution.Conversions;
using Able.Attribution.Identity;
using Able.Attribution.Ingest;
using Able.Schema.Identity;

namespace Able.Attribution.Calendly;

/// <summary>A payment attached to a Calendly booking. <see cref="Amount"/> is in major units (149.0).</summary>
public sealed record CalendlyPayment(string? ExternalId, decimal? Amount, string? Currency, bool Successful);

/// <summary>
/// The fields of a Calendly webhook delivery that attribution uses (reference: calendly.md), read leniently:
/// unknown fields and new location types are ignored, missing ones read as null. Email and phone are held only as
/// their normalised SHA-256; names, answers and everything else the worker does not use are not kept. This record
/// is what the ingest stream stores for a Calendly delivery (<see cref="IngestFacts"/>), so its JSON names are a
/// stored format.
/// </summary>
public sealed record CalendlyBooking
{
    /// <summary><c>invitee.created</c>, <c>invitee.canceled</c>, <c>invitee_no_show.created</c>, ...</summary>
    [JsonPropertyName("source_type")]
    public required string SourceEvent { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>The invitee uuid (last segment of the invitee URI): the idempotency key of a booking.</summary>
    public string? InviteeUuid { get; init; }

    public DateTimeOffset? InviteeCreatedAt { get; init; }

    /// <summary>SHA-256 of the trimmed, lower-case email (<see cref="ContactHashing.HashEmail"/>).</summary>
    public string? EmailHash { get; init; }

    /// <summary>
    /// SHA-256 of the E.164 phone number from <c>text_reminder_number</c>, else from a question about a phone, read in
    /// the funnel's DefaultPhoneRegion (<see cref="PhoneHashing.HashPhone"/>).
    /// </summary>
    public string? PhoneHash { get; init; }

    /// <summary>Tracking parameters (utm_*, salesforce_uuid, ...) that carried a value.</summary>
    public IReadOnlyDictionary<string, string> Tracking { get; init; } = new Dictionary<string, string>();

    public bool Rescheduled { get; init; }

    public string? OldInvitee { get; init; }

    public string? NewInvitee { get; init; }

    public CalendlyPayment? Payment { get; init; }

    public string? EventTypeUri { get; init; }

    [JsonIgnore]
    public string? EventTypeUuid => LenientJson.LastSegment(EventTypeUri);

    public string? EventName { get; init; }

    /// <summary>
    /// Parses a delivery, hashing its email and phone (a number without a country code read in
    /// <paramref name="defaultPhoneRegion"/>); null with a reason when the body is not a Calendly envelope.
    /// </summary>
    public static CalendlyBooking? Parse(ReadOnlyMemory<byte> body, string defaultPhoneRegion, out string? error)
    {
        using var document = LenientJson.Parse(body, out error);
        return document is null ? null : Read(document.RootElement, defaultPhoneRegion, out error);
    }

    /// <summary><see cref="Parse"/> of a body already parsed (the ingress's envelope check), without parsing it again.</summary>
    internal static CalendlyBooking? Read(JsonElement body, string defaultPhoneRegion, out string? error)
    {
        JsonElement? root = body;
        var eventName = root.String("event");
        var payload = root.Get("payload");
        if (eventName is null || payload is not { ValueKind: JsonValueKind.Object })
        {
            error = "body is not a Calendly webhook envelope (event and payload are required)";
            return null;
        }

        error = null;
        var inviteeUri = eventName.StartsWith("invitee_no_show", StringComparison.Ordinal)
            ? payload.String("invitee")
            : payload.String("uri");
        var tracking = new Dictionary<string, string>(StringComparer.Ordinal);
        if (payload.Get("tracking") is { ValueKind: JsonValueKind.Object } trackingElement)
        {
            foreach (var property in trackingElement.EnumerateObject())
            {
                // A value with an '@' is no visitor id or campaign name but maybe an email someone put in a UTM: not kept.
                if (JsonBody.NameOrNull(property) is { } name && JsonBody.DecodeOrNull(property.Value) is { } value && !string.IsNullOrWhiteSpace(value)
                    && !value.Contains('@', StringComparison.Ordinal))
                {
                    tracking[name] = value.Trim();
                }
            }
        }

        var paymentElement = payload.Get("payment");
        var scheduled = payload.Get("scheduled_event");
        return new CalendlyBooking
        {
            SourceEvent = eventName,
            CreatedAt = root.Time("created_at"),
            InviteeUuid = LenientJson.LastSegment(inviteeUri),
            InviteeCreatedAt = payload.Time("created_at"),
            EmailHash = ContactHashing.HashEmail(payload.String("email")),
            PhoneHash = PhoneHashing.HashPhone(payload.String("text_reminder_number") ?? PhoneFromQuestions(payload), defaultPhoneRegion),
            Tracking = tracking,
            Rescheduled = payload.Bool("rescheduled"),
            OldInvitee = payload.String("old_invitee"),
            NewInvitee = payload.String("new_invitee"),
            Payment = paymentElement is { ValueKind: JsonValueKind.Object }
                ? new CalendlyPayment(
                    paymentElement.String("external_id"),
                    paymentElement.Decimal("amount"),
                    paymentElement.String("currency")?.ToUpperInvariant(),
                    paymentElement.Bool("successful"))
                : null,
            EventTypeUri = scheduled.String("event_type") ?? payload.String("event_type"),
            EventName = scheduled.String("name"),
        };
    }

    private static string? PhoneFromQuestions(JsonElement? payload)
    {
        foreach (var item in payload.Items("questions_and_answers"))
        {
            JsonElement? qa = item;
            var question = qa.String("question");
            if (question is not null && MentionsPhone(question) && qa.String("answer") is { } answer)
            {
                return answer;
            }
        }

        return null;
    }

    private static bool MentionsPhone(string question) =>
        question.Contains("phone", StringComparison.OrdinalIgnoreCase)
        || question.Contains("mobile", StringComparison.OrdinalIgnoreCase)
        || question.Contains("tel", StringComparison.OrdinalIgnoreCase);
}
