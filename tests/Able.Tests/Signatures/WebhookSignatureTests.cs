using System.Text;
using Able.Attribution.Signatures;

namespace Able.Tests.Signatures;

public sealed class WebhookSignatureTests
{
    private const string Key = "test-signing-key";
    private const long T = 1_773_926_400;
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"event\":\"invitee.created\"}");
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(T);
    private static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(300);

    private static string Hex(long t = T, string key = Key, byte[]? body = null) =>
        WebhookSignature.Sign(body ?? Body, key, t).Split("v1=")[1];

    [Fact]
    public void Sign_matches_an_independent_hmac_of_t_dot_body()
    {
        using var hmac = new System.Security.Cryptography.HMACSHA256(Encoding.UTF8.GetBytes(Key));
        var expected = Convert.ToHexStringLower(hmac.ComputeHash(Encoding.UTF8.GetBytes($"{T}.").Concat(Body).ToArray()));
        Assert.Equal($"t={T},v1={expected}", WebhookSignature.Sign(Body, Key, T));
    }

    public static TheoryData<string, string?, SignatureCheck> Headers()
    {
        var good = Hex();
        var other = Hex(key: "another-key");
        return new TheoryData<string, string?, SignatureCheck>
        {
            { "canonical", $"t={T},v1={good}", SignatureCheck.Valid },
            { "upper-case hex", $"t={T},v1={good.ToUpperInvariant()}", SignatureCheck.Valid },
            { "spaces after commas", $"t={T}, v1={good}", SignatureCheck.Valid },
            { "spaces and tabs around elements", $"  t={T}\t,\tv1={good}  ", SignatureCheck.Valid },
            { "v1 before t", $"v1={good},t={T}", SignatureCheck.Valid },
            { "several v1, the second matches", $"t={T},v1={other},v1={good}", SignatureCheck.Valid },
            { "Stripe test-mode v0 beside v1", $"t={T},v1={good},v0={other}", SignatureCheck.Valid },
            { "null header", null, SignatureCheck.Missing },
            { "empty header", "", SignatureCheck.Missing },
            { "blank header", "   ", SignatureCheck.Missing },
            { "no v1", $"t={T}", SignatureCheck.Malformed },
            { "only v0", $"t={T},v0={good}", SignatureCheck.Malformed },
            { "no t", $"v1={good}", SignatureCheck.Malformed },
            { "two t", $"t={T},t={T},v1={good}", SignatureCheck.Malformed },
            { "upper-case key T", $"T={T},v1={good}", SignatureCheck.Malformed },
            { "upper-case key V1", $"t={T},V1={good}", SignatureCheck.Malformed },
            { "space inside a value", $"t= {T},v1={good}", SignatureCheck.Malformed },
            { "space around equals", $"t={T},v1 ={good}", SignatureCheck.Malformed },
            { "semicolon separator", $"t={T};v1={good}", SignatureCheck.Malformed },
            { "short hex", $"t={T},v1={good[..62]}", SignatureCheck.Malformed },
            { "long hex", $"t={T},v1={good}00", SignatureCheck.Malformed },
            { "not hex", $"t={T},v1={good[..63]}g", SignatureCheck.Malformed },
            { "negative t", $"t=-{T},v1={good}", SignatureCheck.Malformed },
            { "t with a fraction", $"t={T}.5,v1={good}", SignatureCheck.Malformed },
            { "t too long", $"t=1{T}{T},v1={good}", SignatureCheck.Malformed },
            { "bare token", "garbage", SignatureCheck.Malformed },
            { "a bearer token", "Bearer abc", SignatureCheck.Malformed },
            { "another key", $"t={T},v1={other}", SignatureCheck.Mismatch },
            { "several v1, none matches", $"t={T},v1={other},v1={Hex(key: "third-key")}", SignatureCheck.Mismatch },
            { "flipped bit in signature", $"t={T},v1={FlipHex(good)}", SignatureCheck.Mismatch },
            { "timestamp changed, signature kept", $"t={T + 1},v1={good}", SignatureCheck.Mismatch },
        };
    }

    [Theory]
    [MemberData(nameof(Headers))]
    public void Header_forms(string because, string? header, SignatureCheck expected)
    {
        Assert.True(expected == WebhookSignature.Verify(Body, header, Key, Now, Tolerance), because);
    }

    public static TheoryData<long, SignatureCheck> Ages() => new()
    {
        { 0, SignatureCheck.Valid },
        { 300, SignatureCheck.Valid },
        { -300, SignatureCheck.Valid },
        { 301, SignatureCheck.TooOld },
        { 86_400, SignatureCheck.TooOld },
        { -301, SignatureCheck.InFuture },
        { -86_400, SignatureCheck.InFuture },
    };

    [Theory]
    [MemberData(nameof(Ages))]
    public void Timestamp_tolerance_applies_to_past_and_future(long ageSeconds, SignatureCheck expected)
    {
        var t = T - ageSeconds;
        Assert.Equal(expected, WebhookSignature.Verify(Body, WebhookSignature.Sign(Body, Key, t), Key, Now, Tolerance));
    }

    [Fact]
    public void A_stale_header_with_a_wrong_signature_is_a_mismatch_not_stale()
    {
        // The MAC is checked first, so "stale" is only ever said about authentic deliveries.
        Assert.Equal(SignatureCheck.Mismatch, WebhookSignature.Verify(Body, $"t={T - 3600},v1={Hex()}", Key, Now, Tolerance));
    }

    [Fact]
    public void A_flipped_bit_in_the_body_is_a_mismatch()
    {
        var header = WebhookSignature.Sign(Body, Key, T);
        var tampered = (byte[])Body.Clone();
        tampered[5] ^= 0x01;
        Assert.Equal(SignatureCheck.Mismatch, WebhookSignature.Verify(tampered, header, Key, Now, Tolerance));
    }

    public static TheoryData<string?> BlankSecrets() => new() { null, "", " ", "\t", " \r\n " };

    /// <summary>
    /// A funnel without a secret takes no signed deliveries: a blank key is refused outright, so it can never
    /// verify anything, not even a signature an attacker computed with that blank key.
    /// </summary>
    [Theory]
    [MemberData(nameof(BlankSecrets))]
    public void A_blank_secret_never_verifies_even_a_signature_made_with_it(string? secret)
    {
        byte[] signed = [.. Encoding.UTF8.GetBytes($"{T}."), .. Body];
        var blankKeyMac = System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret ?? ""), signed);
        var header = $"t={T},v1={Convert.ToHexStringLower(blankKeyMac)}";

        Assert.ThrowsAny<ArgumentException>(() => WebhookSignature.Verify(Body, header, secret!, Now, Tolerance));
        Assert.ThrowsAny<ArgumentException>(() => WebhookSignature.Sign(Body, secret!, T));
    }

    public static TheoryData<string, string[]> SeveralV1()
    {
        var good = Hex();
        var rotated = Hex(key: "rotated-key");
        return new TheoryData<string, string[]>
        {
            { "two identical valid v1", [good, good] },
            { "valid then invalid", [good, rotated] },
            { "invalid then valid", [rotated, good] },
            { "valid in upper and lower case", [good, good.ToUpperInvariant()] },
            { "three valid v1", [good, good, good] },
            { "two valid around an invalid one", [good, rotated, good] },
        };
    }

    /// <summary>Secret rotation: any matching <c>v1</c> passes, however many others match or fail.</summary>
    [Theory]
    [MemberData(nameof(SeveralV1))]
    public void Any_matching_v1_verifies_however_many_match(string because, string[] signatures)
    {
        var header = $"t={T}," + string.Join(',', signatures.Select(s => "v1=" + s));
        Assert.True(SignatureCheck.Valid == WebhookSignature.Verify(Body, header, Key, Now, Tolerance), because);
    }

    private static string FlipHex(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        bytes[^1] ^= 0x01;
        return Convert.ToHexStringLower(bytes);
    }
}
