using System.Globalization;
using Able.Schema.Redis;
using Able.Schema.Visitors;
using StackExchange.Redis;

namespace Able.Gateway.Capture;

/// <summary>
/// One capture is one Redis command: a Lua script that writes the visitor hash and its touches list (both in the
/// visitor's hash slot, so it also runs on Redis Cluster). Each value is stored once (the layout is
/// <see cref="VisitorFields"/>): the first touch in the hash, later touches in the list, the visitor's latest ip,
/// user agent, language and cookies as hash fields (not repeated in every touch), and the newest click only when a
/// later touch brought it (a click on the first touch is read from the first touch).
/// </summary>
internal static class CaptureScript
{
    /// <summary>
    /// KEYS[1] the visitor hash, KEYS[2] its touches list. ARGV[1] the touch JSON, ARGV[2] the retention in ms,
    /// ARGV[3] how many later touches the list keeps, ARGV[4..7] the touch's click (ttclid, at, url, referrer; ttclid
    /// empty when the touch has none), ARGV[8..] field/value pairs of the visitor's latest values. Returns 1 for a
    /// visitor's first touch, else 0. The <c>#!lua</c> line (Redis 7) makes Redis refuse the whole script when it is
    /// out of memory, instead of failing at a write halfway through and leaving half a capture behind.
    /// </summary>
    public const string Source = """
        #!lua
        local visitor, touches = KEYS[1], KEYS[2]
        local first = redis.call('HSETNX', visitor, 'first', ARGV[1])
        redis.call('HSET', visitor, unpack(ARGV, 8))
        if first == 0 then
          local keep = tonumber(ARGV[3])
          if keep > 0 then
            redis.call('LPUSH', touches, ARGV[1])
            redis.call('LTRIM', touches, 0, keep - 1)
            redis.call('PEXPIRE', touches, ARGV[2])
          end
          if ARGV[4] ~= '' then
            redis.call('HSET', visitor, 'click_ttclid', ARGV[4], 'click_at', ARGV[5], 'click_url', ARGV[6], 'click_referrer', ARGV[7])
          end
          redis.call('HDEL', visitor, 'last')
        end
        redis.call('PEXPIRE', visitor, ARGV[2])
        return first
        """;

    private const int FixedArguments = 7;

    /// <summary>Queues the script for <paramref name="record"/> on <paramref name="redis"/> (a batch: sent with the batch).</summary>
    public static Task<RedisResult> QueueAsync(IDatabaseAsync redis, RedisKeys keys, CaptureRecord record, int maxTouches)
    {
        var touch = record.Touch;
        var arguments = new List<RedisValue>(FixedArguments + 14)
        {
            touch.ForStorage().ToUtf8Json(),
            (long)record.Retention.TotalMilliseconds,
            maxTouches - 1,
            touch.Ttclid ?? "",
            touch.At.ToString(CultureInfo.InvariantCulture),
            touch.Url ?? "",
            touch.Referrer ?? "",
            VisitorFields.Mark,
            record.Mark,
        };
        AddIfPresent(arguments, VisitorFields.Ip, touch.Ip);
        AddIfPresent(arguments, VisitorFields.UserAgent, touch.UserAgent);
        AddIfPresent(arguments, VisitorFields.AcceptLanguage, touch.AcceptLanguage);
        AddIfPresent(arguments, VisitorFields.Ttp, touch.Ttp);
        AddIfPresent(arguments, VisitorFields.GaClientId, touch.GaClientId);
        AddIfPresent(arguments, VisitorFields.InviteeUuid, record.InviteeUuid);
        return redis.ScriptEvaluateAsync(Source, [keys.Visitor(record.VisitorId), keys.VisitorTouches(record.VisitorId)], [.. arguments]);
    }

    private static void AddIfPresent(List<RedisValue> arguments, string name, string? value)
    {
        if (value is not null)
        {
            arguments.Add(name);
            arguments.Add(value);
        }
    }
}
