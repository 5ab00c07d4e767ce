namespace Able.Schema;

/// <summary>Unix milliseconds read back from storage (Redis hashes, stream fields, stored JSON), where a damaged value must not throw.</summary>
public static class UnixMilliseconds
{
    private static readonly long Earliest = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
    private static readonly long Latest = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    /// <summary>The time <paramref name="milliseconds"/> after 1970-01-01 UTC, or null when no <see cref="DateTimeOffset"/> can hold it.</summary>
    public static DateTimeOffset? ToTime(long milliseconds) =>
        milliseconds >= Earliest && milliseconds <= Latest ? DateTimeOffset.FromUnixTimeMilliseconds(milliseconds) : null;
}
