using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Able.Attribution.Signatures;

/// <summary>What a signature check found. Only <see cref="Valid"/> lets a delivery in.</summary>
public enum SignatureCheck
{
    /// <summary>A <c>v1</c> matched and the timestamp is inside the tolerance.</summary>
    Valid,

    /// <summary>No header, or an empty one.</summary>
    Missing,

    /// <summary>The header is not <c>t=&lt;unix&gt;,v1=&lt;64 hex&gt;[,v1=...]</c>.</summary>
    Malformed,

    /// <summary>No <c>v1</c> matches the HMAC of the body (wrong key, altered body or timestamp).</summary>
    Mismatch,

    /// <summary>Authentic, but <c>t</c> is older than the tolerance (a replay).</summary>
    TooOld,

    /// <summary>Authentic, but <c>t</c> is further in the future than the tolerance.</summary>
    InFuture,
}

/// <summary>
/// The <c>t=&lt;unix seconds&gt;,v1=&lt;hex&gt;</c> webhook signature scheme shared by Calendly and Stripe:
/// HMAC-SHA256 keyed with the UTF-8 secret over <c>"{t}." + raw body bytes</c>.
/// </summary>
/// <remarks>
/// What passes, on purpose: elements are separated by commas and may carry spaces or tabs around them
/// (<c>t=1, v1=ab..</c>), hex digits may be upper or lower case (both decode to the same MAC), several
/// <c>v1</c> may appear (secret rotation; any match passes), and other schemes (<c>v0=</c>) are ignored.
/// What fails: keys in another case (<c>T=</c>, <c>V1=</c>), spaces inside a value, a <c>v1</c> that is not
/// 64 hex digits, a missing or repeated <c>t</c>. The MAC is checked first, so a stale or future <c>t</c> is
/// reported only for an authentic delivery; a timestamp altered in transit is a <see cref="SignatureCheck.Mismatch"/>.
/// Comparison is constant-time (<see cref="CryptographicOperations.FixedTimeEquals"/>).
/// </remarks>
public static class WebhookSignature
{
    private const int MacLength = 32;
    private const int MaxHeaderLength = 4096;

    /// <summary>
    /// Checks <paramref name="header"/> against <paramref name="body"/> at <paramref name="now"/>. A blank
    /// <paramref name="secret"/> throws: it would be a key anyone can sign with.
    /// </summary>
    public static SignatureCheck Verify(ReadOnlySpan<byte> body, string? header, string secret, DateTimeOffset now, TimeSpan tolerance)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(secret);
        if (string.IsNullOrWhiteSpace(header))
        {
            return SignatureCheck.Missing;
        }

        if (header.Length > MaxHeaderLength || !TryParse(header, out var timestamp, out var signatures))
        {
            return SignatureCheck.Malformed;
        }

        Span<byte> expected = stackalloc byte[MacLength];
        ComputeMac(body, timestamp, secret, expected);
        var matched = false;
        foreach (var candidate in signatures)
        {
            // Every candidate is compared, so the time taken does not tell which one matched.
            matched |= CryptographicOperations.FixedTimeEquals(expected, candidate);
        }

        if (!matched)
        {
            return SignatureCheck.Mismatch;
        }

        var age = now.ToUnixTimeSeconds() - timestamp;
        var limit = (long)tolerance.TotalSeconds;
        return age > limit ? SignatureCheck.TooOld : age < -limit ? SignatureCheck.InFuture : SignatureCheck.Valid;
    }

    /// <summary>The header value a sender would send: <c>t={timestamp},v1={lower-case hex}</c>.</summary>
    public static string Sign(ReadOnlySpan<byte> body, string secret, long timestamp)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(secret);
        Span<byte> mac = stackalloc byte[MacLength];
        ComputeMac(body, timestamp, secret, mac);
        return string.Create(CultureInfo.InvariantCulture, $"t={timestamp},v1={Convert.ToHexStringLower(mac)}");
    }

    private static void ComputeMac(ReadOnlySpan<byte> body, long timestamp, string secret, Span<byte> destination)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret));
        Span<byte> prefix = stackalloc byte[24];
        timestamp.TryFormat(prefix, out var written, provider: CultureInfo.InvariantCulture);
        prefix[written++] = (byte)'.';
        hmac.AppendData(prefix[..written]);
        hmac.AppendData(body);
        hmac.GetHashAndReset(destination);
    }

    private static bool TryParse(string header, out long timestamp, out List<byte[]> signatures)
    {
        timestamp = 0;
        signatures = [];
        var sawTimestamp = false;
        foreach (var rawElement in header.Split(','))
        {
            var element = rawElement.AsSpan().Trim(" \t");
            var equals = element.IndexOf('=');
            if (equals <= 0)
            {
                return false;
            }

            var key = element[..equals];
            var value = element[(equals + 1)..];
            if (key.SequenceEqual("t"))
            {
                if (sawTimestamp || value.Length is 0 or > 12 || !IsAsciiDigits(value)
                    || !long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out timestamp))
                {
                    return false;
                }

                sawTimestamp = true;
            }
            else if (key.SequenceEqual("v1"))
            {
                if (value.Length != MacLength * 2 || !IsAsciiHex(value))
                {
                    return false;
                }

                signatures.Add(Convert.FromHexString(value));
            }
        }

        return sawTimestamp && signatures.Count > 0;
    }

    private static bool IsAsciiDigits(ReadOnlySpan<char> value)
    {
        foreach (var c in value)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsAsciiHex(ReadOnlySpan<char> value)
    {
        foreach (var c in value)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
