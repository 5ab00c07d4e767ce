using Able.Hosting.Management;
using Able.Schema.Redis;
using Able.Schema.Visitors;
using StackExchange.Redis;

namespace Able.Gateway.Capture;

internal static class VisitorLookup
{
    /// <summary>
    /// <c>GET /visitors/{id}</c> on the management port: the visitor hash as stored in Redis and every touch kept,
    /// newest first (the touches list, then the first touch from the hash), for operators checking that capture works. 404 when unknown, 400 for an id that is not well-formed.
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
            var hash = database.HashGetAllAsync(keys.Visitor(id));
            var later = database.ListRangeAsync(keys.VisitorTouches(id));
            await Task.WhenAll(hash, later);
            var fields = (await hash).ToDictionary(f => f.Name.ToString(), f => f.Value.ToString());
            var laterTouches = await later;
            if (fields.Count == 0)
            {
                return Results.Text($"No visitor {id} in Redis (never captured, or expired).\n", statusCode: StatusCodes.Status404NotFound);
            }

            // Newest first: the later touches as the list keeps them, then the first touch the hash keeps.
            var touches = laterTouches.Select(t => t.ToString()).ToList();
            if (fields.TryGetValue(VisitorFields.FirstTouch, out var first))
            {
                touches.Add(first);
            }

            return Results.Json(new Dictionary<string, object>
            {
                ["key"] = keys.Visitor(id).ToString(),
                ["fields"] = fields,
                ["touches"] = touches,
            });
        });
        return endpoints;
    }
}
