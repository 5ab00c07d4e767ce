using System.Net;
using System.Text;
using System.Text.Json;

namespace Able.FunctionalTests.Ingress;

/// <summary><c>POST /v1/conversions</c> against the real service and real Redis.</summary>
public sealed class ConversionsApiTests
{
    private const string Purchase =
        """{"funnel":"acme","event":"Purchase","event_id":"order-1001","event_time":1773926400,"email":"Jane.Doe@Example.com ","phone":"+49 151 12345678","value":149.5,"currency":"EUR","visitor_id":"AAAAAAAAAAAAAAAAAAAAAA"}""";

    private const string Lead = """{ "funnel": "acme", "event": "Lead", "event_id": "lead-7", "external_id": "crm-7" }""";

    [Fact]
    public async Task A_single_conversion_is_queued_as_its_facts()
    {
        await using var harness = await IngressHarness.StartAsync();

        using var response = await harness.SendAsync(IngressHarness.Conversions(Purchase));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var entry = Assert.Single(await harness.EntriesAsync());
        Assert.Equal(IngressHarness.ExpectedFacts("api", Encoding.UTF8.GetBytes(Purchase)), IngressHarness.Facts(entry));
        Assert.Equal("api", IngressHarness.Field(entry, "source"));
        Assert.Equal("acme", IngressHarness.Field(entry, "funnel"));
        Assert.Equal("Purchase", IngressHarness.Field(entry, "type"));
    }

    [Fact]
    public async Task A_batch_is_one_entry_per_item_with_each_items_facts_in_order()
    {
        await using var harness = await IngressHarness.StartAsync();
        var schedule = """{"funnel":"ACME","event":"Schedule","event_id":"s-1","email":"8c1f1046219ddd216a023f792356ddf127fce372a72ec9b4cdac989ee5b0b455"}""";

        using var response = await harness.SendAsync(IngressHarness.Conversions($"[\n  {Purchase},\n  {Lead} ,{schedule}\n]"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var entries = await harness.EntriesAsync();
        Assert.Equal(
            new[] { Purchase, Lead, schedule }.Select(item => IngressHarness.ExpectedFacts("api", Encoding.UTF8.GetBytes(item))),
            entries.Select(IngressHarness.Facts));
        Assert.Equal(["Purchase", "Lead", "Schedule"], entries.Select(e => IngressHarness.Field(e, "type")));
        // The mark is recorded as configured, whatever case the caller used.
        Assert.All(entries, e => Assert.Equal("acme", IngressHarness.Field(e, "funnel")));
        Assert.Single(entries.Select(IngressHarness.ReceivedAt).Distinct());
    }

    [Fact]
    public async Task A_batch_of_1000_is_queued_whole_and_1001_is_refused()
    {
        await using var harness = await IngressHarness.StartAsync();
        string Batch(int n) => "[" + string.Join(",", Enumerable.Range(0, n).Select(i => Lead.Replace("lead-7", $"lead-{i}", StringComparison.Ordinal))) + "]";

        using var tooMany = await harness.SendAsync(IngressHarness.Conversions(Batch(1001)));
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Empty(await harness.EntriesAsync());

        using var full = await harness.SendAsync(IngressHarness.Conversions(Batch(1000)));
        Assert.Equal(HttpStatusCode.Accepted, full.StatusCode);
        Assert.Equal(1000, (await harness.EntriesAsync()).Length);
    }

    [Fact]
    public async Task One_bad_item_sinks_the_whole_batch_and_is_named()
    {
        await using var harness = await IngressHarness.StartAsync();
        var bad = """{"funnel":"acme","event":"CompletePayment","event_id":"x","value":10}""";

        using var response = await harness.SendAsync(IngressHarness.Conversions($"[{Purchase},{bad},{Lead}]"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = await ErrorsAsync(response);
        Assert.Equal(["[1].currency", "[1].event"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("use 'Purchase'", errors["[1].event"], StringComparison.Ordinal);
        Assert.Empty(await harness.EntriesAsync());
    }

    public static TheoryData<string, string, string> BadFields() => new()
    {
        { "event", "\"event\":\"SubmitForm\"", "use 'Lead'" },
        { "event", "\"event\":\"ClickButton\"", "use 'Contact'" },
        { "event", "\"event\":\"PlaceAnOrder\"", "use 'Purchase'" },
        { "event", "\"event\":\"Bought\"", "TikTok standard event" },
        { "event_id", "\"event_id\":\"\"", "non-empty" },
        { "event_time", "\"event_time\":1773926400000", "milliseconds" },
        { "email", "\"email\":\"jane\"", "email address" },
        { "phone", "\"phone\":\"12\"", "phone number" },
        { "external_id", "\"external_id\":5", "must be a string" },
        { "value", "\"value\":-3", "at least 0" },
        { "currency", "\"currency\":\"euro\"", "ISO 4217" },
        { "visitor_id", "\"visitor_id\":\"not-a-visitor\"", "visitor id" },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public async Task Each_validation_error_is_named_in_a_problem_details_answer(string field, string replacement, string message)
    {
        await using var harness = await IngressHarness.StartAsync();
        var node = JsonNode(Purchase);
        var patch = JsonNode("{" + replacement + "}");
        foreach (var (name, value) in patch)
        {
            node[name] = value?.DeepClone();
        }

        using var response = await harness.SendAsync(IngressHarness.Conversions(node.ToJsonString()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = await ErrorsAsync(response);
        Assert.Equal([field], errors.Keys);
        Assert.Contains(message, errors[field], StringComparison.Ordinal);
        Assert.Empty(await harness.EntriesAsync());
    }

    [Fact]
    public async Task Several_bad_fields_are_all_named_and_never_echo_contact_data()
    {
        await using var harness = await IngressHarness.StartAsync();

        using var response = await harness.SendAsync(IngressHarness.Conversions(
            """{"funnel":"acme","event":"purchase","email":"jane.doe-at-example","value":3}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        var errors = await ErrorsAsync(response);
        Assert.Equal(["currency", "email", "event", "event_id"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.DoesNotContain("jane", text, StringComparison.Ordinal);
    }

    public static TheoryData<string, string?, string> Unauthorised() => new()
    {
        { "wrong key", "not-the-key", Purchase },
        { "another funnel's key", IngressHarness.OtherApiKey, Purchase },
        { "no Authorization header", null, Purchase },
        { "a batch naming a second funnel the key does not open", IngressHarness.ApiKey, $$"""[{{Purchase}},{"funnel":"other","event":"Lead","event_id":"o-1"}]""" },
    };

    [Theory]
    [MemberData(nameof(Unauthorised))]
    public async Task A_wrong_or_missing_key_gets_401(string because, string? key, string body)
    {
        await using var harness = await IngressHarness.StartAsync();

        using var response = await harness.SendAsync(IngressHarness.Conversions(body, key));

        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, because);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Empty(await harness.EntriesAsync());
    }

    [Theory]
    [InlineData("Basic dGVzdDp0ZXN0")]
    [InlineData("Bearer")]
    [InlineData("test-api-key")]
    public async Task Other_authorization_forms_get_401(string authorization)
    {
        await using var harness = await IngressHarness.StartAsync();
        var request = IngressHarness.Conversions(Purchase, apiKey: null);
        request.Headers.TryAddWithoutValidation("Authorization", authorization);

        using var response = await harness.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task The_bearer_scheme_is_case_insensitive_and_the_other_funnel_uses_its_own_key()
    {
        await using var harness = await IngressHarness.StartAsync();
        var request = IngressHarness.Conversions(Purchase.Replace("\"acme\"", "\"other\"", StringComparison.Ordinal), apiKey: null);
        request.Headers.TryAddWithoutValidation("Authorization", "bearer " + IngressHarness.OtherApiKey);

        using var response = await harness.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("other", IngressHarness.Field(Assert.Single(await harness.EntriesAsync()), "funnel"));
    }

    public static TheoryData<string, HttpStatusCode, string> Refused() => new()
    {
        { """{"funnel":"nope","event":"Lead","event_id":"1"}""", HttpStatusCode.NotFound, "not configured" },
        { """{"event":"Lead","event_id":"1"}""", HttpStatusCode.BadRequest, "funnel" },
        { """{"funnel":"acme","event":"Lead",""", HttpStatusCode.BadRequest, "not valid JSON" },
        { "[]", HttpStatusCode.BadRequest, "empty" },
        { "\"Purchase\"", HttpStatusCode.BadRequest, "conversion object" },
        { "", HttpStatusCode.BadRequest, "empty" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Unknown_funnels_and_malformed_bodies_are_refused(string body, HttpStatusCode status, string reason)
    {
        await using var harness = await IngressHarness.StartAsync();

        using var response = await harness.SendAsync(IngressHarness.Conversions(body));

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(reason, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await harness.EntriesAsync());
    }

    private static System.Text.Json.Nodes.JsonObject JsonNode(string json) => System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();

    private static async Task<Dictionary<string, string>> ErrorsAsync(HttpResponseMessage response)
    {
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return problem.RootElement.GetProperty("errors").EnumerateObject()
            .ToDictionary(p => p.Name, p => string.Join(" | ", p.Value.EnumerateArray().Select(m => m.GetString())), StringComparer.Ordinal);
    }

    /// <summary>A funnel without an API key takes no conversions through the API: no key is its key, not even another funnel's.</summary>
    [Theory]
    [InlineData(IngressHarness.ApiKey)]
    [InlineData(IngressHarness.OtherApiKey)]
    public async Task A_funnel_without_an_API_key_refuses_every_key(string key)
    {
        await using var harness = await IngressHarness.StartAsync(able => able["Funnels"]![1]!.AsObject().Remove("ApiKey"));

        using var response = await harness.SendAsync(IngressHarness.Conversions("""{"funnel":"other","event":"Lead","event_id":"1"}""", key));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(await harness.EntriesAsync());
    }
}
