using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;
using Able.Attribution.Calendly;
using Able.Attribution.Conversions;
using Able.Attribution.Stripe;
using StackExchange.Redis;

namespace Able.Attribution.Ingest;

/// <summary>
/// What the ingest stream stores of one accepted delivery (field <see cref="IngestEntry.Facts"/>): the parsed booking,
/// payment or conversions-API item with email, phone and external id already normalised and hashed, and nothing the
/// worker does not use (no names, answers, addresses or notes). Exactly one of <see cref="Calendly"/>,
/// <see cref="Stripe"/>, <see cref="Api"/> and <see cref="Malformed"/> is set. Versioned JSON:
/// <c>{"v":1,"calendly":{...}}</c>; a worker refuses a version it does not know rather than misread it.
/// </summary>
public sealed record IngestFacts
{
    /// <summary>The format version this code writes and reads.</summary>
    public const int CurrentVersion = 1;

    [JsonPropertyName("v")]
    public int Version { get; init; } = CurrentVersion;

    public CalendlyBooking? Calendly { get; init; }

    public StripePayment? Stripe { get; init; }

    public ApiConversion? Api { get; init; }

    /// <summary>Why the delivery could not be read (it is recorded as malformed, with this reason, never quoting the body).</summary>
    public string? Malformed { get; init; }

    /// <summary>
    /// Parses a verified delivery of <paramref name="source"/> and keeps its facts: contact data hashed, phone numbers
    /// without a country code read in <paramref name="defaultPhoneRegion"/> (the funnel's). Never throws: a body
    /// that cannot be read gives facts with <see cref="Malformed"/> set.
    /// </summary>
    public static IngestFacts Parse(string source, ReadOnlyMemory<byte> body, string defaultPhoneRegion)
    {
        string? error;
        return source switch
        {
            IngestEntry.Sources.Calendly => CalendlyBooking.Parse(body, defaultPhoneRegion, out error) is { } booking
                ? new IngestFacts { Calendly = booking }
                : new IngestFacts { Malformed = error },
            IngestEntry.Sources.Stripe => StripePayment.Parse(body, defaultPhoneRegion, out error) is { } payment
                ? new IngestFacts { Stripe = payment }
                : new IngestFacts { Malformed = error },
            IngestEntry.Sources.ConversionsApi => ApiConversion.Parse(body, defaultPhoneRegion, out error) is { } item
                ? new IngestFacts { Api = item }
                : new IngestFacts { Malformed = error },
            _ => new IngestFacts { Malformed = $"unknown source '{source}'" },
        };
    }

    /// <summary>
    /// <see cref="Parse"/> of a Calendly or Stripe body the ingress has already parsed (<paramref name="body"/>, its
    /// root), so it is not parsed a second time; the same facts as <see cref="Parse"/> gives for its bytes.
    /// </summary>
    internal static IngestFacts Read(string source, JsonElement body, string defaultPhoneRegion)
    {
        string? error;
        return source switch
        {
            IngestEntry.Sources.Calendly => CalendlyBooking.Read(body, defaultPhoneRegion, out error) is { } booking
                ? new IngestFacts { Calendly = booking }
                : new IngestFacts { Malformed = error },
            IngestEntry.Sources.Stripe => StripePayment.Read(body, defaultPhoneRegion, out error) is { } payment
                ? new IngestFacts { Stripe = payment }
                : new IngestFacts { Malformed = error },
            _ => new IngestFacts { Malformed = $"unknown source '{source}'" },
        };
    }

    /// <summary>Whether a stream entry still holds a raw body (written before the ingress stored facts).</summary>
    public static bool HoldsRawBody(StreamEntry entry) => entry.Values.Any(v => v.Name == IngestEntry.Body);

    /// <summary>
    /// The entry with its raw body replaced by its facts (the other fields as they are), so what is kept of it, a
    /// poison dead letter, holds no raw contact data; an entry without a raw body is returned as it is.
    /// </summary>
    public static StreamEntry WithoutRawBody(StreamEntry entry, string defaultPhoneRegion)
    {
        if (!HoldsRawBody(entry))
        {
            return entry;
        }

        var source = entry.Values.FirstOrDefault(v => v.Name == IngestEntry.Source).Value.ToString();
        var fields = entry.Values.Select(v => v.Name == IngestEntry.Body
            ? new NameValueEntry(IngestEntry.Facts, Parse(source, v.Value.IsNull ? [] : (byte[])v.Value!, defaultPhoneRegion).ToUtf8Json())
            : v);
        return new StreamEntry(entry.Id, [.. fields]);
    }

    /// <summary>The stored form: UTF-8 JSON.</summary>
    public byte[] ToUtf8Json() => JsonSerializer.SerializeToUtf8Bytes(this, FactsJson.Options);

    /// <summary>
    /// Reads stored facts; false with a problem (never quoting the value) when they are not facts of a version this code
    /// knows, with exactly one kind set. Never throws.
    /// </summary>
    public static bool TryRead(ReadOnlyMemory<byte> stored, out IngestFacts facts, out string problem)
    {
        facts = null!;
        problem = "";
        if (!Utf8.IsValid(stored.Span))
        {
            problem = "the stored facts are not UTF-8";
            return false;
        }

        int version;
        try
        {
            using var document = JsonDocument.Parse(stored, new JsonDocumentOptions { MaxDepth = FactsJson.Options.MaxDepth });
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("v", out var v) || v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out version))
            {
                problem = "the stored facts have no version";
                return false;
            }
        }
        catch (JsonException)
        {
            problem = "the stored facts are not JSON";
            return false;
        }

        if (version != CurrentVersion)
        {
            problem = $"the stored facts are version {version}; this worker reads version {CurrentVersion}";
            return false;
        }

        try
        {
            facts = JsonSerializer.Deserialize<IngestFacts>(stored.Span, FactsJson.Options)!;
        }
        catch (Exception error) when (error is JsonException or InvalidOperationException or NotSupportedException or ArgumentException)
        {
            problem = "the stored facts do not have the facts format";
            return false;
        }

        var kinds = (facts.Calendly is null ? 0 : 1) + (facts.Stripe is null ? 0 : 1) + (facts.Api is null ? 0 : 1) + (facts.Malformed is null ? 0 : 1);
        if (kinds != 1 || facts.Version != CurrentVersion)
        {
            problem = "the stored facts must hold exactly one of calendly, stripe, api and malformed";
            facts = null!;
            return false;
        }

        return true;
    }
}

internal static class FactsJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        RespectNullableAnnotations = true,
        MaxDepth = 16,
    };
}
