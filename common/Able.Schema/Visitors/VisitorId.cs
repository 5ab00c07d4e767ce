using System.Buffers.Text;
using System.Security.Cryptography;

namespace Able.Schema.Visitors;

/// <summary>A visitor id: 128 random bits as unpadded base64url, always 22 characters.</summary>
public static class VisitorId
{
    public const int Length = 22;

    /// <summary>
    /// The characters that can end a canonical id: 22 characters carry 132 bits, so the last one holds the
    /// final 2 bits of the 16 bytes followed by 4 zero bits (values 0, 16, 32, 48).
    /// </summary>
    private const string CanonicalLastCharacters = "AQgw";

    private const int IdBytes = 16;

    /// <summary>Random bytes for the next 64 ids of this thread: one call to the system's CSPRNG per 64 new visitors.</summary>
    [ThreadStatic]
    private static byte[]? randomBytes;

    [ThreadStatic]
    private static int randomUsed;

    /// <summary>
    /// A new id from the system's cryptographically secure generator. The bytes are drawn 1 KB at a time per thread
    /// (a call into OpenSSL per id cost about 3 % of the gateway's CPU on ad-click traffic), each byte used once and
    /// cleared once used; what a thread holds is never shared with another.
    /// </summary>
    public static string New()
    {
        var buffer = randomBytes ??= new byte[64 * IdBytes];
        if (randomUsed == 0 || randomUsed == buffer.Length)
        {
            RandomNumberGenerator.Fill(buffer);
            randomUsed = 0;
        }

        var bytes = buffer.AsSpan(randomUsed, IdBytes);
        randomUsed += IdBytes;
        var id = Base64Url.EncodeToString(bytes);
        bytes.Clear();
        return id;
    }

    /// <summary>
    /// True for exactly the ids <see cref="New"/> can produce: 22 base64url characters whose last character
    /// leaves the 4 spare bits zero. Anything else (wrong length, other characters, spare bits set) is false;
    /// this never throws, whatever the input.
    /// </summary>
    public static bool IsWellFormed(ReadOnlySpan<char> value)
    {
        if (value.Length != Length)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_'))
            {
                return false;
            }
        }

        // Checked by hand rather than by decoding: Base64Url.TryDecodeFromChars throws FormatException
        // (instead of returning false) when the spare bits of the last character are not zero.
        return CanonicalLastCharacters.Contains(value[^1], StringComparison.Ordinal);
    }
}
