using System.Buffers.Text;
using System.Security.Cryptography;

namespace Able.Attribution.Visitors;

/// <summary>A visitor id: 128 random bits as unpadded base64url, always 22 characters.</summary>
public static class VisitorId
{
    public const int Length = 22;

    public static string New()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>True for exactly 22 base64url characters that decode to 16 bytes.</summary>
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

        // 22 chars carry 132 bits; the last char must leave the 4 padding bits zero to be canonical.
        Span<byte> bytes = stackalloc byte[16];
        return Base64Url.TryDecodeFromChars(value, bytes, out var written) && written == 16
            && Base64Url.EncodeToString(bytes).AsSpan().SequenceEqual(value);
    }
}
