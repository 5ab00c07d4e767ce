using System.Net;
using System.Text.Json;

namespace Able.FunctionalTests.Ingress;

/// <summary>A conversion naming a visitor id with non-zero spare bits (not an id the gateway issued) is a field error, not a 500.</summary>
public sealed class NonCanonicalVisitorIdIngressTests
{
    [Fact]
    public async Task A_conversion_with_a_non_canonical_visitor_id_is_a_400_naming_the_field()
    {
        await using var harness = await IngressHarness.StartAsync();

        using var response = await harness.SendAsync(IngressHarness.Conversions(
            """{"funnel":"acme","event":"Lead","event_id":"lead-9","visitor_id":"AAAAAAAAAAAAAAAAAAAAAB"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var errors = problem.RootElement.GetProperty("errors");
        Assert.Equal(["visitor_id"], errors.EnumerateObject().Select(p => p.Name));
        Assert.Contains("visitor id", errors.GetProperty("visitor_id")[0].GetString(), StringComparison.Ordinal);
        Assert.Empty(await harness.EntriesAsync());
    }
}
