using System.Text.Json;
using System.Text.Unicode;

namespace Able.Attribution.Ingest;

/// <summary>Parsing of untrusted JSON bodies: every failure becomes a problem text (never quoting the body), never an exception.</summary>
internal static class JsonBody
{
    public const string InvalidUnicode =
        "body has a string or property name whose escapes are not valid Unicode (such as a lone \\ud800)";

    public static bool TryParse(ReadOnlyMemory<byte> body, JsonDocumentOptions options, out JsonDocument document, out string problem)
    {
        document = null!;
        problem = "";
        if (body.IsEmpty)
        {
            problem = "body is empty; a JSON document is required";
            return false;
        }

        if (!Utf8.IsValid(body.Span))
        {
            problem = "body is not valid UTF-8 JSON";
            return false;
        }

        try
        {
            document = JsonDocument.Parse(body, options);
            return true;
        }
        catch (JsonException error)
        {
            var duplicates = options.AllowDuplicateProperties ? "" : "; duplicate property names are not allowed";
            problem = $"body is not valid JSON (line {error.LineNumber + 1}, byte {error.BytePositionInLine + 1}{duplicates})";
            return false;
        }
        catch (InvalidOperationException)
        {
            // The duplicate-name check unescapes names and throws on a lone surrogate escape.
            problem = InvalidUnicode;
            return false;
        }
    }

    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "an object",
    };

    /// <summary>
    /// The string value, or null when it is not a string or its escapes or bytes do not decode to valid Unicode (a lone
    /// <c>\ud800</c>, a stray 0xFF). System.Text.Json has no TryGetString; this is the one place its throw is turned into a result.
    /// </summary>
    public static string? DecodeOrNull(JsonElement text)
    {
        if (text.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        try
        {
            return text.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>A property's name, or null when it does not decode to valid Unicode.</summary>
    public static string? NameOrNull(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Whether every string and property name decodes, so no consumer of the stream trips over one later.</summary>
    public static bool AllStringsDecode(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return DecodeOrNull(element) is not null;
            case JsonValueKind.Array:
                return element.EnumerateArray().All(AllStringsDecode);
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    try
                    {
                        _ = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        return false;
                    }

                    if (!AllStringsDecode(property.Value))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return true;
        }
    }
}
