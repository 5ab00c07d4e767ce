using System.Text;
using Able.Attribution.Conversions;

namespace Able.Tests.Conversions;

public sealed class ConversionRequestTests
{
    private const string Good =
        """{"funnel":"acme","event":"Purchase","event_id":"order-1","event_time":1773926400,"email":"Jane.Doe@Example.com","phone":"+4915112345678","external_id":"crm-42","value":149.0,"currency":"EUR","visitor_id":"AAAAAAAAAAAAAAAAAAAAAA"}""";

    private static IReadOnlyList<ConversionItem> Read(string body)
    {
        Assert.True(ConversionRequest.TryRead(Encoding.UTF8.GetBytes(body), out var items, out var problem), problem);
        return items;
    }

    [Fact]
    public void A_single_object_is_one_item_holding_the_whole_body()
    {
        var items = Read(Good);
        var item = Assert.Single(items);
        Assert.Equal(Good, Encoding.UTF8.GetString(item.Json.Span));
        Assert.Equal("acme", item.Funnel);
        Assert.Equal("Purchase", item.Event);
        Assert.Equal("", item.Field);
        Assert.Empty(ConversionRequest.Validate(items));
    }

    [Fact]
    public void A_batch_keeps_the_exact_bytes_of_each_element()
    {
        var second = """{ "funnel" : "acme",  "event":"Lead", "event_id":"l-1", "note":"caf\u00e9 \"quoted\" [x]" }""";
        var body = $"[ {Good} ,\n\t{second}]";
        var items = Read(body);
        Assert.Equal(2, items.Count);
        Assert.Equal(Good, Encoding.UTF8.GetString(items[0].Json.Span));
        Assert.Equal(second, Encoding.UTF8.GetString(items[1].Json.Span));
        Assert.Equal("[1].", items[1].Field);
        Assert.Equal("Lead", items[1].Event);
    }

    public static TheoryData<string, string> ShapeProblems() => new()
    {
        { "", "empty" },
        { "{\"funnel\":", "not valid JSON" },
        { "[]", "empty" },
        { "42", "not a number" },
        { "\"Purchase\"", "not a string" },
        { "[{\"funnel\":\"acme\"}, 3]", "item [1]" },
        { "{\"funnel\":\"acme\",\"funnel\":\"other\"}", "duplicate" },
        { "{\"funnel\":\"acme\",\"note\":\"\\ud800\"}", "not valid Unicode" },
        { "[{\"funnel\":\"acme\",\"\\udc00\":1}]", "not valid Unicode" },
    };

    [Fact]
    public void Invalid_utf8_is_refused()
    {
        Assert.False(ConversionRequest.TryRead(new byte[] { 0x7B, 0x22, 0xC3, 0x28, 0x22, 0x3A, 0x31, 0x7D }, out _, out var problem));
        Assert.Contains("UTF-8", problem, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ShapeProblems))]
    public void Bodies_of_the_wrong_shape_say_why(string body, string expected)
    {
        Assert.False(ConversionRequest.TryRead(Encoding.UTF8.GetBytes(body), out _, out var problem));
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void More_than_1000_items_are_refused()
    {
        var body = "[" + string.Join(",", Enumerable.Repeat(Good, 1001)) + "]";
        Assert.False(ConversionRequest.TryRead(Encoding.UTF8.GetBytes(body), out _, out var problem));
        Assert.Contains("at most 1000", problem, StringComparison.Ordinal);
        Assert.True(ConversionRequest.TryRead(Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Repeat(Good, 1000)) + "]"), out var items, out _));
        Assert.Equal(1000, items.Count);
    }

    public static TheoryData<string, string, string> FieldProblems() => new()
    {
        { "event", "\"event\":null", "is required" },
        { "event", "\"event\":\"\"", "non-empty" },
        { "event", "\"event\":\"CompletePayment\"", "use 'Purchase'" },
        { "event", "\"event\":\"PlaceAnOrder\"", "use 'Purchase'" },
        { "event", "\"event\":\"SubmitForm\"", "use 'Lead'" },
        { "event", "\"event\":\"ClickButton\"", "use 'Contact'" },
        { "event", "\"event\":\"purchase\"", "case-sensitive; use 'Purchase'" },
        { "event", "\"event\":\"BoughtThing\"", "TikTok standard event" },
        { "event_id", "\"event_id\":null", "is required" },
        { "event_id", "\"event_id\":17", "non-empty string" },
        { "event_id", $"\"event_id\":\"{new string('x', 257)}\"", "at most 256" },
        { "event_time", "\"event_time\":\"2026-03-19\"", "integer Unix time" },
        { "event_time", "\"event_time\":1773926400000", "not milliseconds" },
        { "event_time", "\"event_time\":12345", "between 2001 and 2100" },
        { "event_time", "\"event_time\":1773926400.5", "integer Unix time" },
        { "email", "\"email\":\"not-an-email\"", "email address or its SHA-256" },
        { "email", "\"email\":42", "must be a string" },
        { "phone", "\"phone\":\"call me\"", "phone number" },
        { "phone", "\"phone\":\"123\"", "7 to 15 digits" },
        { "external_id", "\"external_id\":\"  \"", "1 to 256" },
        { "visitor_id", "\"visitor_id\":\"short\"", "22-character visitor id" },
        { "value", "\"value\":-1", "at least 0" },
        { "value", "\"value\":\"149\"", "at least 0" },
        { "currency", "\"currency\":\"eur\"", "ISO 4217" },
        { "currency", "\"currency\":\"XYZ\"", "ISO 4217" },
        { "currency", "\"currency\":null", "required when value is set" },
    };

    [Theory]
    [MemberData(nameof(FieldProblems))]
    public void Each_bad_field_is_named(string field, string replacement, string expected)
    {
        var property = replacement[..(replacement.IndexOf(':', StringComparison.Ordinal) + 1)];
        var start = Good.IndexOf(property, StringComparison.Ordinal);
        var body = start < 0
            ? Good.TrimEnd('}') + "," + replacement + "}"
            : Good[..start] + replacement + Good[Good.IndexOf(Good[start..].Contains(",\"", StringComparison.Ordinal) ? ",\"" : "}", start + property.Length, StringComparison.Ordinal)..];
        var problems = ConversionRequest.Validate(Read(body));
        Assert.True(problems.ContainsKey(field), $"{field} not named in {string.Join(", ", problems.Keys)} for {body}");
        Assert.Contains(expected, problems[field][0], StringComparison.Ordinal);
        Assert.Single(problems);
    }

    [Fact]
    public void Batch_errors_name_the_item_and_the_field()
    {
        var body = $$"""[{{Good}},{"funnel":"acme","event":"SubmitForm","value":5}]""";
        var problems = ConversionRequest.Validate(Read(body));
        Assert.Equal(["[1].currency", "[1].event", "[1].event_id"], problems.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Optional_fields_may_be_absent_or_null_and_hashes_are_accepted()
    {
        var hash = new string('a', 64);
        var body = $$"""{"funnel":"acme","event":"Schedule","event_id":"s-1","email":"{{hash}}","phone":"{{hash.ToUpperInvariant()}}","external_id":null,"value":null,"visitor_id":null}""";
        Assert.Empty(ConversionRequest.Validate(Read(body)));
    }

    [Fact]
    public void A_missing_funnel_is_named_per_item()
    {
        var items = Read($$"""[{{Good}},{"event":"Lead","event_id":"x"},{"funnel":7}]""");
        Assert.Equal(["[1].funnel", "[2].funnel"], ConversionRequest.FunnelProblems(items).Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Problems_never_quote_contact_values()
    {
        var problems = ConversionRequest.Validate(Read("""{"funnel":"acme","event":"Lead","event_id":"x","email":"jane-at-example","phone":"jane 0151"}"""));
        Assert.All(problems.Values.SelectMany(v => v), message => Assert.DoesNotContain("jane", message, StringComparison.Ordinal));
    }
}
