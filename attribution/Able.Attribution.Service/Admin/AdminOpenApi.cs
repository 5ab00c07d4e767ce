using System.Text.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Able.Attribution.Service.Admin;

/// <summary>
/// The admin API's OpenAPI document, served at <c>GET /admin/api/openapi.json</c> (behind the token, like every admin
/// route): the admin routes only, the bearer scheme, and property names in snake_case as the API writes them.
/// </summary>
internal static class AdminOpenApi
{
    /// <summary>The document <c>MapOpenApi</c> serves when the route names none.</summary>
    public const string DocumentName = "v1";

    public static IServiceCollection AddAdminOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(DocumentName, options =>
        {
            options.ShouldInclude = description =>
                description.RelativePath?.StartsWith(AdminApi.BasePath[1..] + "/", StringComparison.Ordinal) == true;
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Able admin API",
                    Version = "1",
                    Description = "Funnels, summaries and campaign reports, conversions, journeys, dead letters and erasure. "
                        + "Management port only; every route needs Authorization: Bearer <Able:Admin:Token>. Errors are problem details.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["admin_token"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "Able:Admin:Token",
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("admin_token", document)] = [] }];
                return Task.CompletedTask;
            });
            options.AddSchemaTransformer((schema, _, _) =>
            {
                SnakeCase(schema);
                return Task.CompletedTask;
            });
        });

    /// <summary>Property names as <see cref="AdminJson"/> writes them (the schema generator names them in camelCase).</summary>
    private static void SnakeCase(OpenApiSchema schema)
    {
        if (schema.Properties is { Count: > 0 } properties)
        {
            var renamed = properties.ToDictionary(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Key), p => p.Value, StringComparer.Ordinal);
            properties.Clear();
            foreach (var (name, property) in renamed)
            {
                properties[name] = property;
            }
        }

        if (schema.Required is { Count: > 0 } required)
        {
            var renamed = required.Select(JsonNamingPolicy.SnakeCaseLower.ConvertName).ToList();
            required.Clear();
            foreach (var name in renamed)
            {
                required.Add(name);
            }
        }
    }
}
