using StackExchange.Redis;

namespace Able.Testing;

/// <summary>
/// A key's whole value as text, whatever its type, for the tests that prove what Redis does not hold (no raw contact
/// data at rest; nothing of an erased person left).
/// </summary>
public static class RedisDump
{
    /// <summary>The key's name, then one line per element: the string, <c>field=value</c>, list and set members, <c>member=score</c>, <c>id field=value</c>.</summary>
    public static async Task<string> TextAsync(IDatabaseAsync db, RedisKey key)
    {
        ArgumentNullException.ThrowIfNull(db);
        var type = await db.KeyTypeAsync(key);
        IEnumerable<string> parts = type switch
        {
            RedisType.String => [(string?)await db.StringGetAsync(key) ?? ""],
            RedisType.Hash => (await db.HashGetAllAsync(key)).Select(e => $"{e.Name}={e.Value}"),
            RedisType.List => (await db.ListRangeAsync(key)).Select(v => v.ToString()),
            RedisType.Set => (await db.SetMembersAsync(key)).Select(v => v.ToString()),
            RedisType.SortedSet => (await db.SortedSetRangeByRankWithScoresAsync(key)).Select(e => $"{e.Element}={e.Score}"),
            RedisType.Stream => (await db.StreamRangeAsync(key)).SelectMany(e => e.Values.Select(v => $"{e.Id} {v.Name}={v.Value}")),
            RedisType.None => [],
            _ => throw new InvalidOperationException($"key {key} has type {type}, which this dump does not read"),
        };
        return $"{key}\n{string.Join('\n', parts)}";
    }
}
