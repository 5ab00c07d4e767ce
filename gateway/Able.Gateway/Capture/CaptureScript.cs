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
    public static Task<RedisResult> QueueAsync(IDatabaseAsync redis, RedisKeys keys, CaptureRecord record, int maxTouches) =>
        redis.ScriptEvaluateAsync(Source, [keys.Visitor(record.VisitorId), keys.VisitorTouches(record.VisitorId)], Arguments(record, maxTouches));

    /// <summary>The script's ARGV for <paramref name="record"/>, in one array of the exact length.</summary>
    public static RedisValue[] Arguments(CaptureRecord record, int maxTouches)
    {
        ArgumentNullException.ThrowIfNull(record);
        var touch = record.Touch;
        var latest = (touch.Ip, touch.UserAgent, touch.AcceptLanguage, touch.Ttp, touch.GaClientId, record.InviteeUuid);
        var count = FixedArguments + 2 + (2 * (Present(latest.Ip) + Present(latest.UserAgent) + Present(latest.AcceptLanguage)
            + Present(latest.Ttp) + Present(latest.GaClientId) + Present(latest.InviteeUuid)));
        var arguments = new RedisValue[count];
        arguments[0] = touch.ForStorage().ToUtf8Json();
        arguments[1] = (long)record.Retention.TotalMilliseconds;
        arguments[2] = maxTouches - 1;
        arguments[3] = touch.Ttclid ?? "";
        arguments[4] = touch.At;
        arguments[5] = touch.Url ?? "";
        arguments[6] = touch.Referrer ?? "";
        arguments[7] = VisitorFields.Mark;
        arguments[8] = record.Mark;
        var at = FixedArguments + 2;
        AddIfPresent(arguments, ref at, VisitorFields.Ip, latest.Ip);
        AddIfPresent(arguments, ref at, VisitorFields.UserAgent, latest.UserAgent);
        AddIfPresent(arguments, ref at, VisitorFields.AcceptLanguage, latest.AcceptLanguage);
        AddIfPresent(arguments, ref at, VisitorFields.Ttp, latest.Ttp);
        AddIfPresent(arguments, ref at, VisitorFields.GaClientId, latest.GaClientId);
        AddIfPresent(arguments, ref at, VisitorFields.InviteeUuid, latest.InviteeUuid);
        return arguments;
    }

    private static int Present(string? value) => value is null ? 0 : 1;

    private static void AddIfPresent(RedisValue[] arguments, ref int at, string name, string? value)
    {
        if (value is not null)
        {
            arguments[at++] = name;
            arguments[at++] = value;
        }
    }
}
