using Able.Gateway.ClientHints;
using CsCheck;
using Microsoft.Extensions.Primitives;

namespace Able.Tests.ClientHints;

/// <summary>
/// <see cref="AcceptClientHints.Merge"/> on any origin header: never throws; every origin token stays, in its order; each
/// of ours is then listed, and none of ours is added twice; merging again changes nothing.
/// </summary>
public sealed class AcceptClientHintsPropertyTests
{
    private static readonly Gen<string> Tokens = AdversarialInput.Weighted(
        (3, AdversarialInput.Element([.. AcceptClientHints.Requested, "Sec-CH-UA-MODEL", "sec-ch-ua-arch", "DPR", "Viewport-Width", "Sec-CH-UA-WoW64", ""])),
        (1, AdversarialInput.Text));

    private static readonly Gen<string[]> OriginLines = Gen.Select(Tokens.Array[0, 6], AdversarialInput.Element(",", ", ", " ,", ",,")).Array[0, 3]
        .Select(lines => lines.Select(l => string.Join(l.Item2, l.Item1)).ToArray());

    [Fact]
    public void The_origin_s_tokens_stay_and_ours_are_all_listed_once_added() =>
        OriginLines.Sample(lines =>
        {
            var origin = new StringValues(lines);
            var merged = AcceptClientHints.Merge(origin);
            var originTokens = TokensOf(origin);
            var mergedTokens = TokensOf(merged);

            Assert.Equal(originTokens, mergedTokens.Take(originTokens.Count));
            foreach (var ours in AcceptClientHints.Requested)
            {
                var before = originTokens.Count(t => t.Equals(ours, StringComparison.OrdinalIgnoreCase));
                Assert.Equal(Math.Max(before, 1), mergedTokens.Count(t => t.Equals(ours, StringComparison.OrdinalIgnoreCase)));
            }

            Assert.Equal(merged, AcceptClientHints.Merge(merged));
        }, iter: AdversarialInput.Iterations);

    private static List<string> TokensOf(StringValues values) =>
        [.. values.SelectMany(v => (v ?? "").Split(',')).Select(t => t.Trim()).Where(t => t.Length > 0)];
}
