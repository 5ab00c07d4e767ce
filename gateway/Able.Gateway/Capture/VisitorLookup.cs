using Able.Hosting.Management;
using Able.Schema.Redis;
using Able.Schema.Visitors;
using StackExchange.Redis;

namespace Able.Gateway.Capture;

internal static class VisitorLookup
{
    /// <summary>
    /// <c>GET /visitors/{id}</c> on the management port: the visitor hash and its touches as stored in Redis,
    /// for operators checking that capture works. 404 when unknown, 400 for an id that is not well-formed.
    /// </summary>
    public static IEndpointRouteBuilder MapVisitorLookup(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapManagementGroup().MapGet("/visitors/{id}", async (string id, IConnectionMultiplexer redis, RedisKeys keys) =>
        {
            if (!VisitorId.IsWellFormed(id))
            {
                return Results.Text("A visitor id is 22 base64url characters (the able_vid cookie value).\n", statusCode: StatusCodes.Status400BadRequest);
            }

            var database = redis.GetDatabase();
            var fields = await database.HashGetAllAsync(keys.Visitor(id));
            if (fields.Length == 0)
            {
                return Results.Text($"No visitor {id} in Redis (never captured, or expired).\n", statusCode: StatusCodes.Status404NotFound);
            }

            var touches = await database.ListRangeAsync(keys.VisitorTouches(id));
            return Results.Json(new Dictionary<string, object>
            {
                ["key"] = keys.Visitor(id).ToString(),
                ["fields"] = fields.ToDictionary(f => f.Name.ToString(), f => f.Value.ToString()),
                ["touches"] = touches.Select(t => t.ToString()).ToArray(),
            });
        });
        return endpoints;
    }
}
