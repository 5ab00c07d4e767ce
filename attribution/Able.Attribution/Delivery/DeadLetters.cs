using System.Globalization;
using Able.Attribution.Redis;
using StackExchange.Redis;

namespace Able.Attribution.Delivery;

/// <summary>One permanently failed delivery as it is kept in the dead-letter stream.</summary>
public sealed record DeadLetter(string Id, string DeliveryId, string Funnel, string? Event, string? EventId, string Reason, long? TikTokCode, string? TikTokMessage, string? Payload);

/// <summary>The dead-letter stream: permanent failures with the reason and TikTok's message, for the admin API to replay.</summary>
public sealed class DeadLetters(IConnectionMultiplexer redis, RedisKeys keys)
{
    public Task AddAsync(DeliveryJob job, string reason, long? code, string? message, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(job);
        return redis.GetDatabase().StreamAddAsync(keys.DeadLetterStream,
        [
            new NameValueEntry("delivery_id", job.Id),
            new NameValueEntry("funnel", job.Conversion.Funnel),
            new NameValueEntry("event", job.Conversion.Event),
            new NameValueEntry("event_id", job.Conversion.EventId),
            new NameValueEntry("reason", reason),
            new NameValueEntry("code", code?.ToString(CultureInfo.InvariantCulture) ?? ""),
            new NameValueEntry("message", message ?? ""),
            new NameValueEntry("payload", job.Receipt.Payload?.ToJsonString() ?? ""),
            new NameValueEntry("at", at.ToUnixTimeMilliseconds()),
        ]);
    }

    public async Task<IReadOnlyList<DeadLetter>> ReadAsync(int count = 100)
    {
        var entries = await redis.GetDatabase().StreamRangeAsync(keys.DeadLetterStream, count: count);
        return [.. entries.Select(e =>
        {
            string? Field(string name) => e.Values.FirstOrDefault(v => v.Name == name).Value is { IsNullOrEmpty: false } value ? value.ToString() : null;
            return new DeadLetter(e.Id.ToString(), Field("delivery_id") ?? "", Field("funnel") ?? "", Field("event"), Field("event_id"), Field("reason") ?? "",
                long.TryParse(Field("code"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var code) ? code : null, Field("message"), Field("payload"));
        })];
    }

    public Task<long> DepthAsync() => redis.GetDatabase().StreamLengthAsync(keys.DeadLetterStream);
}
