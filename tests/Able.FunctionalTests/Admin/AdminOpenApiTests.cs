using System.Net;

namespace Able.FunctionalTests.Admin;

/// <summary>The OpenAPI document the service serves for its admin API (behind the token like every admin route).</summary>
public sealed class AdminOpenApiTests
{
    [Fact]
    public async Task The_document_lists_every_admin_route_in_snake_case_with_the_bearer_scheme_and_nothing_else()
    {
        await using var admin = await AdminService.StartAsync();

        var document = await admin.GetJsonAsync("/admin/api/openapi.json");

        var paths = document["paths"]!.AsObject();
        foreach (var (method, path) in new[]
                 {
                     ("get", "/admin/api/funnels"), ("get", "/admin/api/summary"), ("get", "/admin/api/report"),
                     ("get", "/admin/api/conversions"), ("get", "/admin/api/conversions/{funnel}/{receiptId}"),
                     ("post", "/admin/api/journey"), ("delete", "/admin/api/people"), ("get", "/admin/api/deadletters"),
                     ("get", "/admin/api/deadletters/{id}"), ("post", "/admin/api/deadletters/{id}/replay"),
                     ("post", "/admin/api/deadletters/replay"), ("delete", "/admin/api/deadletters/{id}"),
                 })
        {
            Assert.True(paths[path]?[method] is not null, $"{method} {path} missing from {string.Join(", ", paths.Select(p => p.Key))}");
        }

        Assert.All(paths, path => Assert.StartsWith("/admin/api/", path.Key, StringComparison.Ordinal));
        Assert.Equal("bearer", (string?)document["components"]!["securitySchemes"]!["admin_token"]!["scheme"]);
        var funnel = document["components"]!["schemas"]!["FunnelView"]!["properties"]!.AsObject();
        Assert.Contains("pixel_configured", funnel.Select(p => p.Key));
        Assert.Contains("dry_run", funnel.Select(p => p.Key));

        using var anonymous = await admin.GetAsync("/admin/api/openapi.json", token: null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }
}
