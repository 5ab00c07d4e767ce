using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;

namespace Able.Tests;

/// <summary>
/// Generators of hostile outside input for the parser property tests: random text and text built from the
/// pieces parsers trip on (lone surrogates, NUL and control characters, very long runs, non-ASCII, base64url
/// edge characters, percent-encoding, separators), and JSON bodies made by mutating real fixtures (wrong
/// types, huge or odd numbers, deep nesting, duplicated keys, invalid UTF-8, truncation).
/// </summary>
internal static class AdversarialInput
{
    /// <summary>Iterations per property: enough to hit every piece often, few enough to keep the unit suite fast.</summary>
    public const int Iterations = 1000;

    private static readonly string[] Pieces =
    [
        "", " ", "\t", "\r\n", "\0", "\u0001", "\u001f", "\u007f", "\u0085", "\u00a0", "\u200b", "\u2028", "\ufeff", "\uffff", "\ufffd",
        "\ud800", "\udfff", "\ud83d", "\ude00", "😀", "é", "日本", "Ⅻ", "١٢٣", "𝟘", "ǅ",
        "A", "Q", "g", "w", "B", "-", "_", "+", "/", "=", "==", "AAAAAAAAAAAAAAAAAAAAAB", "AAAAAAAAAAAAAAAAAAAAAA", "////////////////////AB",
        "%", "%2", "%zz", "%00", "%0A", "%FF", "%C3%28", "%E2%82", "%25", "%2F", "%3D", "%26", "%u0041", "+",
        ".", "\u002E.", ",", ";", ":", "::", "@", "#", "?", "&", "=", "\"", "'", "\\", "<", ">", "[", "]", "{", "}", "(", ")", "*", "|", "~",
        "0", "1", "-1", "9", "00", "1e9", "1e400", "9223372036854775807", "9223372036854775808", "-9223372036854775809", "99999999999999999999",
        "0x10", "NaN", "Infinity", "t=", "v1=", "t=1700000000", "v1=" + new string('a', 64), "GA1.", "GA1.2.", "1234567890.1700000000",
        "https://", "http://", "calendly.com/", "https://calendly.com/acme/intro", "javascript:", "//", "/go/", "/go/intro", "/go/\u002E./",
        "127.0.0.1", "10.0.0.2", "::1", "::ffff:10.0.0.1", "[2001:db8::7]:443", "2001:db8::7%eth0", "1.2", "1234", "256.1.1.1",
        "jane.doe@example.com", "a@b", "@@", "+49 151 12345678", "+1", "(0)", "ext. 12", "+999999999999999999", "00491511234",
        "utm_source=", "invitee_email=", "answer_1=", "text/html", "navigate", "prefetch", "Googlebot", ".js", ".css", "EUR", "usd",
    ];

    private static readonly Gen<char> AnyChar = Weighted(
        (4, Gen.Char),
        (2, Gen.Char['\0', '\u001f']),
        (2, Gen.Char['\ud800', '\udfff']),
        (3, Gen.Char["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"]),
        (2, Gen.Char["%+/=.,;:@&?#[]{}\"'\\ <>|~!$^*()`"]),
        (1, Gen.Char["éß日😀\u00a0\u200b\ufeff\uffff\u0085\u2028"]));

    /// <summary>Text of every kind parsers see from the outside.</summary>
    public static readonly Gen<string> Text = Weighted(
        (2, Gen.String),
        (3, AnyChar.Array[0, 40].Select(chars => new string(chars))),
        (4, Weighted((1, Element(Pieces)), (1, AnyChar.Select(c => c.ToString()))).Array[0, 8].Select(parts => string.Concat(parts))),
        (1, Gen.Select(Element(Pieces), Gen.Int[100, 5_000], (piece, count) => new StringBuilder().Insert(0, piece.Length == 0 ? "x" : piece, count).ToString())),
        (1, Gen.Char["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"].Array[20, 24].Select(chars => new string(chars))));

    /// <summary>Raw JSON value tokens, including ones <see cref="JsonNode"/> cannot hold (huge numbers, deep nesting, duplicate keys).</summary>
    private static readonly string[] JsonTokens =
    [
        "null", "true", "false", "0", "-0", "1", "-1", "1.5", "1e400", "-1e400", "1E-400", "123456789012345678901234567890",
        "9223372036854775807", "9223372036854775808", "-9223372036854775809", "79228162514264337593543950336", "0.0000000000000000000000000001",
        "4102444800", "1773926400", "-62135596801", "253402300800", "\"\"", "\" \"", "\"\\u0000\"", "\"\\ud800\"", "\"\\udfff\\ud800\"",
        "\"2026-03-04T15:02:11.000000Z\"", "\"not a date\"", "\"9999-12-31T23:59:59Z\"", "\"0001-01-01T00:00:00+14:00\"",
        "[]", "{}", "[null]", "[1,\"a\",{}]", "{\"a\":1,\"a\":2}", "{\"\":null}",
        new string('[', 40) + new string(']', 40), new string('[', 200) + new string(']', 200),
        "\"" + new string('9', 5000) + "\"", "\"jane.doe@example.com\"", "\"+49 151 12345678\"", "\"https://calendly.com/a?b=%ZZ\"",
        "\"https://api.calendly.com/event_types/\"", "\"/\"", "\"EUR\"", "\"eur\"", "\"XXX\"", "\"AAAAAAAAAAAAAAAAAAAAAB\"",
    ];

    /// <summary>JSON bodies: the fixture with random changes (see <see cref="Mutate"/>), or plain random bytes now and then.</summary>
    public static Gen<byte[]> JsonBodies(params string[] fixtures) => Weighted(
        (8, Gen.Select(Gen.Int[0, fixtures.Length - 1], Gen.Int, (which, seed) => Mutate(fixtures[which], new Random(seed)))),
        (1, Text.Select(Encoding.UTF8.GetBytes)),
        (1, Gen.Byte.Array[0, 200]));

    /// <summary>
    /// The fixture with 1 to 4 changes: a value replaced by a random token (any type) or a random string, a key
    /// duplicated with another value, a member removed; then sometimes an invalid UTF-8 byte or a cut.
    /// </summary>
    public static byte[] Mutate(string fixture, Random random)
    {
        const string Hole = "ZZHOLEZZ";
        var root = JsonNode.Parse(fixture)!;
        var replacements = new List<(string Placeholder, string Raw)>();
        var changes = random.Next(1, 5);
        for (var i = 0; i < changes; i++)
        {
            var nodes = Descendants(root).ToList();
            var target = nodes[random.Next(nodes.Count)];
            var placeholder = $"{Hole}{i}";
            var raw = random.Next(3) == 0
                ? JsonSerializer.Serialize(RandomText(random))
                : JsonTokens[random.Next(JsonTokens.Length)];
            switch (target.Parent)
            {
                case JsonObject parent when random.Next(4) == 0 && target.GetPropertyName() is var name:
                    // Duplicate the key: "name": <original>, ..., "name": <raw>.
                    parent[placeholder] = placeholder;
                    replacements.Add(($"\"{placeholder}\":\"{placeholder}\"", $"{JsonSerializer.Serialize(name)}:{raw}"));
                    continue;
                case JsonObject parent when random.Next(6) == 0:
                    parent.Remove(target.GetPropertyName());
                    continue;
                case null:
                    continue;
            }

            target.ReplaceWith(placeholder);
            replacements.Add(($"\"{placeholder}\"", raw));
        }

        var text = root.ToJsonString();
        foreach (var (placeholder, raw) in replacements)
        {
            text = text.Replace(placeholder, raw, StringComparison.Ordinal);
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        if (random.Next(8) == 0)
        {
            bytes[random.Next(bytes.Length)] = (byte)random.Next(0x80, 0x100);
        }

        if (random.Next(10) == 0)
        {
            bytes = bytes[..random.Next(bytes.Length)];
        }

        return bytes;
    }

    /// <summary>One of <paramref name="values"/>.</summary>
    public static Gen<T> Element<T>(params T[] values) => Gen.Int[0, values.Length - 1].Select(i => values[i]);

    /// <summary>One of the generators, chosen by weight.</summary>
    public static Gen<T> Weighted<T>(params (int Weight, Gen<T> Gen)[] choices)
    {
        var total = choices.Sum(c => c.Weight);
        return Gen.Int[0, total - 1].SelectMany(roll =>
        {
            foreach (var (weight, gen) in choices)
            {
                if (roll < weight)
                {
                    return gen;
                }

                roll -= weight;
            }

            return choices[^1].Gen;
        });
    }

    /// <summary>A few pieces and random characters, for the JSON mutations (which run on their own seed).</summary>
    private static string RandomText(Random random)
    {
        var text = new StringBuilder();
        for (var i = random.Next(0, 6); i > 0; i--)
        {
            text.Append(random.Next(2) == 0 ? Pieces[random.Next(Pieces.Length)] : (char)random.Next(0, 0x10000));
        }

        return text.ToString();
    }

    private static IEnumerable<JsonNode> Descendants(JsonNode node)
    {
        yield return node;
        IEnumerable<JsonNode?> children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a,
            _ => [],
        };
        foreach (var child in children.OfType<JsonNode>().ToList())
        {
            foreach (var descendant in Descendants(child))
            {
                yield return descendant;
            }
        }
    }
}
