using Able.Schema.Redis;
using StackExchange.Redis;

namespace Able.Schema.Visitors;

/// <summary>
/// The one writer of the visitor hash's contact-hash sets (<see cref="VisitorFields.EmailHashes"/>,
/// <see cref="VisitorFields.PhoneHashes"/>): comma-separated SHA-256 hex, each hash at most once, in the order
/// added. The gateway (a booking confirmation links an email) and the worker (a conversion's email and phone)
/// both add to the same field, so the add is one Lua script that reads and writes the field inside Redis: a
/// read in C# followed by a write would overwrite a hash the other service added in between.
/// </summary>
public static class VisitorContactHashes
{
    /// <summary>
    /// KEYS[1] the visitor hash, ARGV[1] the field, ARGV[2..] the hashes to add. Adds those not yet in the
    /// field (empty ones are skipped) and returns how many were added. Does nothing when the visitor hash does
    /// not exist: a visitor that expired between its read and this write is not recreated without its expiry.
    /// </summary>
    public const string AppendScript = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        local current = redis.call('HGET', KEYS[1], ARGV[1])
        local seen = {}
        if current then
          for h in string.gmatch(current, '[^,]+') do seen[h] = true end
        else
          current = ''
        end
        local added = 0
        for i = 2, #ARGV do
          local h = ARGV[i]
          if h ~= '' and not seen[h] then
            seen[h] = true
            if current == '' then current = h else current = current .. ',' .. h end
            added = added + 1
          end
        end
        if added > 0 then redis.call('HSET', KEYS[1], ARGV[1], current) end
        return added
        """;

    /// <summary>
    /// Adds <paramref name="hashes"/> to the visitor's <paramref name="field"/> set atomically. Works on a
    /// database, a transaction or a batch (<see cref="IBatch"/>: the script is queued with the batch's other
    /// commands and the task completes once the batch has run). Returns how many hashes were new; 0 when
    /// there was nothing to add or the visitor hash does not exist.
    /// </summary>
    /// <param name="redis">Where to run the script.</param>
    /// <param name="keys">The Redis layout.</param>
    /// <param name="visitorId">The visitor whose hash is written.</param>
    /// <param name="field"><see cref="VisitorFields.EmailHashes"/> or <see cref="VisitorFields.PhoneHashes"/>.</param>
    /// <param name="hashes">SHA-256 hex digests; null or empty entries are skipped.</param>
    /// <exception cref="ArgumentException">The field is not a contact-hash field, or a hash contains a comma.</exception>
    public static async Task<long> AppendAsync(IDatabaseAsync redis, RedisKeys keys, string visitorId, string field, params IEnumerable<string?> hashes)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(visitorId);
        ArgumentNullException.ThrowIfNull(hashes);
        if (field is not (VisitorFields.EmailHashes or VisitorFields.PhoneHashes))
        {
            throw new ArgumentException($"'{field}' is not a contact-hash field of the visitor hash.", nameof(field));
        }

        var arguments = new List<RedisValue> { field };
        foreach (var hash in hashes)
        {
            if (string.IsNullOrEmpty(hash))
            {
                continue;
            }

            if (hash.Contains(',', StringComparison.Ordinal))
            {
                throw new ArgumentException("A contact hash cannot contain a comma: the field is a comma-separated set.", nameof(hashes));
            }

            arguments.Add(hash);
        }

        if (arguments.Count == 1)
        {
            return 0;
        }

        // Queued now (before the first await), so on a batch it goes out with the batch's other commands.
        var result = redis.ScriptEvaluateAsync(AppendScript, [keys.Visitor(visitorId)], [.. arguments]);
        return (long)await result;
    }
}
