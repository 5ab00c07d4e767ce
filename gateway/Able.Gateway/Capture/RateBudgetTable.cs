namespace Able.Gateway.Capture;

/// <summary>What <see cref="RateBudgetTable.TryTakeIfKnown"/> found.</summary>
internal enum KnownBudget
{
    /// <summary>The key is not in the table (never seen, or pushed out by busier keys).</summary>
    Unknown,

    /// <summary>The key is known and one unit of its budget was taken.</summary>
    Taken,

    /// <summary>The key is known and its budget is used up for now.</summary>
    Exhausted,
}

/// <summary>
/// Per-key rate budgets in a fixed amount of memory. Each key is a token bucket of <c>perMinute</c> tokens that
/// refills continuously (one every 60/<c>perMinute</c> s), kept as a single time stamp: the moment the bucket
/// would be full again (GCRA, the "theoretical arrival time").
/// <para>
/// The table is set-associative: a key's 64-bit hash picks one set of <see cref="Ways"/> slots; a new key takes
/// an empty slot, or else the slot whose bucket is fullest (the least busy key of the set). A flood of new keys
/// therefore evicts other one-off keys, not a key that is spending its budget: that one has the latest time
/// stamp in its set. Memory is <c>16 × capacity</c> bytes, allocated once; nothing is allocated per call. Sets
/// are guarded by striped locks, held for a few comparisons.
/// </para>
/// </summary>
internal sealed class RateBudgetTable
{
    public const int Ways = 8;
    private const int LockStripes = 256;
    private const long Empty = long.MinValue;

    private readonly ulong[] keys;
    private readonly long[] fullAgainAt;
    private readonly Lock[] locks;
    private readonly int sets;
    private readonly long tokenInterval;
    private readonly long burstTolerance;

    /// <param name="capacity">Keys remembered at once (rounded up to a whole number of sets).</param>
    /// <param name="perMinute">Budget per key per minute; also the burst a fresh key may spend at once.</param>
    /// <param name="ticksPerSecond">Units of the time stamps passed in (<see cref="TimeProvider.TimestampFrequency"/>).</param>
    public RateBudgetTable(int capacity, int perMinute, long ticksPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(perMinute, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(ticksPerSecond, 1);
        sets = (capacity + Ways - 1) / Ways;
        keys = new ulong[sets * Ways];
        fullAgainAt = new long[sets * Ways];
        Array.Fill(fullAgainAt, Empty);
        locks = new Lock[Math.Min(LockStripes, sets)];
        for (var i = 0; i < locks.Length; i++)
        {
            locks[i] = new Lock();
        }

        tokenInterval = Math.Max(1, 60 * ticksPerSecond / perMinute);
        burstTolerance = tokenInterval * (perMinute - 1);
    }

    /// <summary>Keys the table can remember at once.</summary>
    public int Capacity => keys.Length;

    /// <summary>Takes one unit of <paramref name="key"/>'s budget; false when it is used up. An unknown key starts full.</summary>
    public bool TryTake(ulong key, long now) => Take(key, now, addIfUnknown: true) == KnownBudget.Taken;

    /// <summary>Takes one unit of <paramref name="key"/>'s budget if the table knows the key; never adds it.</summary>
    public KnownBudget TryTakeIfKnown(ulong key, long now) => Take(key, now, addIfUnknown: false);

    private KnownBudget Take(ulong key, long now, bool addIfUnknown)
    {
        var set = (int)(key % (ulong)sets);
        var first = set * Ways;
        lock (locks[set % locks.Length])
        {
            var slot = -1;
            var leastBusy = first;
            for (var i = first; i < first + Ways; i++)
            {
                if (keys[i] == key && fullAgainAt[i] != Empty)
                {
                    slot = i;
                    break;
                }

                if (fullAgainAt[i] < fullAgainAt[leastBusy])
                {
                    leastBusy = i;
                }
            }

            if (slot < 0)
            {
                if (!addIfUnknown)
                {
                    return KnownBudget.Unknown;
                }

                slot = leastBusy;
                keys[slot] = key;
                fullAgainAt[slot] = now;
            }

            var start = Math.Max(fullAgainAt[slot], now);
            if (start - now > burstTolerance)
            {
                return KnownBudget.Exhausted;
            }

            fullAgainAt[slot] = start + tokenInterval;
            return KnownBudget.Taken;
        }
    }
}
