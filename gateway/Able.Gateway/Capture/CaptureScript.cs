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
        var arguments = new RedisValue[LatestValues(record, null, FixedArguments + 2)];
        arguments[0] = touch.ForStorage().ToUtf8Json();
        arguments[1] = (long)record.Retention.TotalMilliseconds;
        arguments[2] = maxTouches - 1;
        arguments[3] = touch.Ttclid ?? "";
        arguments[4] = touch.At;
        arguments[5] = touch.Url ?? "";
        arguments[6] = touch.Referrer ?? "";
        arguments[7] = VisitorFields.Mark;
        arguments[8] = record.Mark;
        LatestValues(record, arguments, FixedArguments + 2);
        return arguments;
    }

    /// <summary>
    /// Writes the visitor's latest values that <paramref name="record"/> has, as field/value pairs from <paramref name="at"/>
    /// (only counts them when <paramref name="arguments"/> is null); returns the index after the last.
    /// </summary>
    private static int LatestValues(CaptureRecord record, RedisValue[]? arguments, int at)
    {
        var touch = record.Touch;
        at = AddIfPresent(arguments, at, VisitorFields.Ip, touch.Ip);
        at = AddIfPresent(arguments, at, VisitorFields.UserAgent, touch.UserAgent);
        at = AddIfPresent(arguments, at, VisitorFields.AcceptLanguage, touch.AcceptLanguage);
        at = AddIfPresent(arguments, at, VisitorFields.Ttp, touch.Ttp);
        at = AddIfPresent(arguments, at, VisitorFields.GaClientId, touch.GaClientId);
        at = AddIfPresent(arguments, at, VisitorFields.GaSessionId, record.GaSessionId);
        at = AddIfPresent(arguments, at, VisitorFields.InviteeUuid, record.InviteeUuid);
        if (record.Device is { } device)
        {
            at = AddIfPresent(arguments, at, VisitorFields.HintBrands, device.Brands);
            at = AddIfPresent(arguments, at, VisitorFields.HintMobile, DeviceHints.StoredMobile(device.Mobile));
            at = AddIfPresent(arguments, at, VisitorFields.HintPlatform, device.Platform);
            at = AddIfPresent(arguments, at, VisitorFields.HintPlatformVersion, device.PlatformVersion);
            at = AddIfPresent(arguments, at, VisitorFields.HintModel, device.Model);
            at = AddIfPresent(arguments, at, VisitorFields.HintArchitecture, device.Architecture);
            at = AddIfPresent(arguments, at, VisitorFields.HintBitness, device.Bitness);
            at = AddIfPresent(arguments, at, VisitorFields.HintFullVersionList, device.FullVersionList);
        }

        return at;
    }

    private static int AddIfPresent(RedisValue[]? arguments, int at, string name, string? value)
    {
        if (value is null)
        {
            return at;
        }

        if (arguments is not null)
        {
            arguments[at] = name;
            arguments[at + 1] = value;
        }

        return at + 2;
    }
}
