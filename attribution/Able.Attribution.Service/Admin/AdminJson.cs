using System.Text.Json;
using System.Text.Json.Serialization;

namespace Able.Attribution.Service.Admin;

/// <summary>
/// The admin API's JSON, written like the match receipts: snake_case names, nulls left out; enums as snake_case
/// strings; dictionary keys (currencies, join paths, outcomes) as they are.
/// </summary>
internal static class AdminJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static IResult Ok<T>(T value) => TypedResults.Json(value, Options);
}
