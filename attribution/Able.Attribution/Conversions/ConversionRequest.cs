using System.Text.Json;
using Able.Attribution.Identity;
using Able.Attribution.Ingest;
using Able.Attribution.Visitors;
using Able.Schema.Identity;
using Able.Schema.Visitors;

namespace Able.Attribution.Conversions;

/// <summary>One conversion of a <c>POST /v1/conversions</c> body: its exact JSON bytes and the fields routing needs.</summary>
/// <param name="Json">The exact bytes of this item (the whole body for a single object, the array element for a batch).</param>
/// <param name="Field">How errors name this item's fields: <c>""</c> for a single object, <c>"[3]."</c> in a batch.</param>
public sealed record ConversionItem(ReadOnlyMemory<byte> Json, string Field, string? Funnel, string? Event);

/// <summary>
/// Reads and validates a <c>POST /v1/conversions</c> body: one JSON object or an array of 1 to
/// <see cref="MaxItems"/> objects. Field problems are collected per field name (<c>currency</c>,
/// <c>[3].event_id</c>) so a caller can answer one RFC 7807 validation problem naming every bad field.
/// Messages never quote email or phone values.
/// </summary>
public static class ConversionRequest
{
    /// <summary>TikTok accepts at most 1000 events per request; a batch here is capped the same.</summary>
    public const int MaxItems = 1000;

    public const int MaxEventIdLength = 256;
    public const int MaxExternalIdLength = 256;

    // 2001-09-09 .. 2100-01-01 in Unix seconds: catches milliseconds and garbage.
    private const long MinEventTime = 1_000_000_000;
    private const long MaxEventTime = 4_102_444_800;

    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = 32, AllowDuplicateProperties = false };

    /// <summary>Splits the body into items, or says why its shape is wrong (not JSON, not object/array, empty, too many).</summary>
    public static bool TryRead(ReadOnlyMemory<byte> body, out IReadOnlyList<ConversionItem> items, out string problem)
    {
        items = [];
        if (!JsonBody.TryParse(body, ParseOptions, out var document, out problem))
        {
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (!JsonBody.AllStringsDecode(root))
            {
                problem = JsonBody.InvalidUnicode;
                return false;
            }

            switch (root.ValueKind)
            {
                case JsonValueKind.Object:
                    items = [ItemOf(body, "", root)];
                    return true;
                case JsonValueKind.Array:
                    return TryReadBatch(body, root, out items, out problem);
                default:
                    problem = $"body must be a conversion object or an array of them, not {JsonBody.Describe(root.ValueKind)}";
                    return false;
            }
        }
    }

    /// <summary>Problems with the <c>funnel</c> field of each item (it decides which API key applies).</summary>
    public static Dictionary<string, string[]> FunnelProblems(IReadOnlyList<ConversionItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var problems = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var item in items.Where(item => string.IsNullOrEmpty(item.Funnel)))
        {
            problems[item.Field + "funnel"] = ["is required: the mark of the funnel this conversion belongs to"];
        }

        return problems;
    }

    /// <summary>Every field problem of every item (empty when all are valid).</summary>
    public static Dictionary<string, string[]> Validate(IReadOnlyList<ConversionItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var problems = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            using var document = JsonDocument.Parse(item.Json, ParseOptions);
            ValidateItem(document.RootElement, item.Field, problems);
        }

        return problems;
    }

    private static bool TryReadBatch(ReadOnlyMemory<byte> body, JsonElement root, out IReadOnlyList<ConversionItem> items, out string problem)
    {
        items = [];
        problem = "";
        var count = root.GetArrayLength();
        if (count == 0)
        {
            problem = "the batch is empty; send 1 to 1000 conversions";
            return false;
        }

        if (count > MaxItems)
        {
            problem = $"the batch has {count} conversions; at most {MaxItems} are allowed per request";
            return false;
        }

        var list = new List<ConversionItem>(count);
        var reader = new Utf8JsonReader(body.Span, new JsonReaderOptions { MaxDepth = ParseOptions.MaxDepth });
        reader.Read(); // StartArray
        var index = 0;
        foreach (var element in root.EnumerateArray())
        {
            reader.Read();
            if (element.ValueKind != JsonValueKind.Object)
            {
                problem = $"item [{index}] must be a conversion object, not {JsonBody.Describe(element.ValueKind)}";
                return false;
            }

            // The exact bytes of this element, so the stream holds what the caller sent.
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            var end = (int)reader.BytesConsumed;
            list.Add(ItemOf(body[start..end], $"[{index}].", element));
            index++;
        }

        items = list;
        return true;
    }

    private static ConversionItem ItemOf(ReadOnlyMemory<byte> json, string field, JsonElement item) =>
        new(json, field, StringOrNull(item, "funnel"), StringOrNull(item, "event"));

    private static void ValidateItem(JsonElement item, string field, Dictionary<string, string[]> problems)
    {
        void Add(string name, string message) => problems[field + name] = [message];

        if (!TryGetString(item, "event", out var eventName, out var eventKind) || eventName.Length == 0)
        {
            Add("event", eventKind == JsonValueKind.Undefined ? "is required (for example Purchase)" : "must be a non-empty string");
        }
        else if (TikTokEventNames.Problem(eventName) is { } eventProblem)
        {
            Add("event", eventProblem);
        }

        if (!TryGetString(item, "event_id", out var eventId, out var eventIdKind) || eventId.Length == 0)
        {
            Add("event_id", eventIdKind == JsonValueKind.Undefined
                ? "is required: a stable id per conversion, so retries are not counted twice"
                : "must be a non-empty string");
        }
        else if (eventId.Length > MaxEventIdLength)
        {
            Add("event_id", $"must be at most {MaxEventIdLength} characters");
        }

        if (Present(item, "event_time", out var eventTime))
        {
            if (eventTime.ValueKind != JsonValueKind.Number || !eventTime.TryGetInt64(out var seconds))
            {
                Add("event_time", "must be an integer Unix time in seconds");
            }
            else if (seconds > MaxEventTime * 100)
            {
                Add("event_time", "must be Unix seconds, not milliseconds");
            }
            else if (seconds is < MinEventTime or > MaxEventTime)
            {
                Add("event_time", "must be a Unix time in seconds between 2001 and 2100");
            }
        }

        ValidateOptionalString(item, "email", field, problems,
            value => ContactHashing.HashEmail(value) is null ? "must be an email address or its SHA-256 (64 hex digits)" : null);
        ValidateOptionalString(item, "phone", field, problems,
            value => ContactHashing.IsSha256Hex(value.Trim()) || LooksLikePhone(value)
                ? null
                : "must be a phone number (7 to 15 digits, E.164 such as +4915112345678 preferred) or its SHA-256 (64 hex digits)");
        ValidateOptionalString(item, "external_id", field, problems,
            value => value.Trim().Length is 0 or > MaxExternalIdLength ? $"must be 1 to {MaxExternalIdLength} characters" : null);
        ValidateOptionalString(item, "visitor_id", field, problems,
            value => VisitorId.IsWellFormed(value) ? null : "must be the 22-character visitor id set by the gateway");

        var hasValue = Present(item, "value", out var value);
        if (hasValue && (value.ValueKind != JsonValueKind.Number || !value.TryGetDecimal(out var amount) || amount < 0))
        {
            Add("value", "must be a number of at least 0 (the order total in major units, such as 149.0)");
        }

        if (Present(item, "currency", out var currency))
        {
            if (currency.ValueKind != JsonValueKind.String || !CurrencyCodes.IsKnown(currency.GetString()))
            {
                Add("currency", "must be an ISO 4217 code in upper case, such as USD or EUR");
            }
        }
        else if (hasValue)
        {
            Add("currency", "is required when value is set (ISO 4217, such as USD)");
        }
    }

    private static void ValidateOptionalString(
        JsonElement item, string name, string field, Dictionary<string, string[]> problems, Func<string, string?> check)
    {
        if (!Present(item, name, out var element))
        {
            return;
        }

        var problem = element.ValueKind == JsonValueKind.String ? check(element.GetString()!) : "must be a string";
        if (problem is not null)
        {
            problems[field + name] = [problem];
        }
    }

    private static bool LooksLikePhone(string value)
    {
        var digits = 0;
        foreach (var c in value)
        {
            if (char.IsAsciiDigit(c))
            {
                digits++;
            }
            else if (c is not (' ' or '+' or '-' or '(' or ')' or '.' or '/'))
            {
                return false;
            }
        }

        return digits is >= 7 and <= 15;
    }

    /// <summary>A property that is there and not null (null means "not given" for optional fields).</summary>
    private static bool Present(JsonElement item, string name, out JsonElement value) =>
        item.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    private static bool TryGetString(JsonElement item, string name, out string value, out JsonValueKind kind)
    {
        value = "";
        kind = item.TryGetProperty(name, out var element) ? element.ValueKind : JsonValueKind.Undefined;
        if (kind == JsonValueKind.Null)
        {
            kind = JsonValueKind.Undefined;
        }

        if (kind != JsonValueKind.String)
        {
            return false;
        }

        value = element.GetString()!;
        return true;
    }

    private static string? StringOrNull(JsonElement item, string name) =>
        item.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String ? element.GetString() : null;
}
