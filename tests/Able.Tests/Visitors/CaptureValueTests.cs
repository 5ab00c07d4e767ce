using Able.Schema.Visitors;

namespace Able.Tests.Visitors;

public sealed class CaptureValueTests
{
    [Theory]
    [InlineData(null, 10, null, CaptureValueProblem.None)]
    [InlineData("", 10, null, CaptureValueProblem.None)]
    [InlineData("   ", 10, null, CaptureValueProblem.None)]
    [InlineData(" tiktok ", 10, "tiktok", CaptureValueProblem.None)]
    [InlineData("0123456789", 10, "0123456789", CaptureValueProblem.None)]
    [InlineData("0123456789a", 10, null, CaptureValueProblem.TooLong)]
    [InlineData("a\u0001b", 10, null, CaptureValueProblem.ControlCharacter)]
    [InlineData("a\nb", 10, null, CaptureValueProblem.ControlCharacter)]
    [InlineData("a\u007Fb", 10, null, CaptureValueProblem.ControlCharacter)]
    [InlineData("a\u0085b", 10, null, CaptureValueProblem.ControlCharacter)]
    [InlineData("a\uFFFDb", 10, null, CaptureValueProblem.InvalidText)]
    [InlineData("a\uD800b", 10, null, CaptureValueProblem.InvalidText)]
    [InlineData("a\uDC00", 10, null, CaptureValueProblem.InvalidText)]
    [InlineData("été 😀", 10, "été 😀", CaptureValueProblem.None)]
    public void Clean_rejects_bad_values_whole(string? raw, int max, string? expected, CaptureValueProblem problem) =>
        Assert.Equal((expected, problem), CaptureValue.Clean(raw, max));

    [Theory]
    [InlineData("spring sale", "spring sale", CaptureValueProblem.None)]
    [InlineData("50% off", "50% off", CaptureValueProblem.None)]
    [InlineData("%", "%", CaptureValueProblem.None)]
    [InlineData("%FF%FE", null, CaptureValueProblem.InvalidText)]
    [InlineData("%C3(", null, CaptureValueProblem.InvalidText)]
    [InlineData("a%0", "a%0", CaptureValueProblem.None)]
    public void Query_values_reject_leftover_escapes(string decoded, string? expected, CaptureValueProblem problem) =>
        Assert.Equal((expected, problem), CaptureValue.CleanQueryValue(decoded, 100));

    [Theory]
    [InlineData("E.C.P.CsABbP9zq_1-x~y+z/w==", true)]
    [InlineData("Cj0KCQiA", true)]
    [InlineData("IwAR2xyz_ABC-123", true)]
    [InlineData("abc def", false)]
    [InlineData("abc<script>", false)]
    [InlineData("%%%", false)]
    [InlineData("käse", false)]
    public void Tokens_use_only_id_characters(string value, bool kept) =>
        Assert.Equal(kept, CaptureValue.CleanToken(value, 100).Value is not null);
}
