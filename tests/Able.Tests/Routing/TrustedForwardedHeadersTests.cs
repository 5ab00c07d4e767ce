using Able.Gateway.Routing;

namespace Able.Tests.Routing;

public sealed class TrustedForwardedHeadersTests
{
    private static readonly string[] Kept = ["Cookie", "User-Agent", "Accept", "Referer", "X-Requested-With", "X-Custom"];

    [Fact]
    public void From_an_untrusted_peer_every_forwarding_header_is_removed_and_nothing_else()
    {
        using var request = RequestWith([.. TrustedForwardedHeaders.ForwardingHeaders, .. Kept]);

        TrustedForwardedHeaders.RemoveUnvouched(request.Headers, "GET", trustedPeer: false);

        Assert.Equal(Kept.Order(StringComparer.OrdinalIgnoreCase), request.Headers.Select(h => h.Key).Order(StringComparer.OrdinalIgnoreCase));
    }

    [Fact]
    public void From_a_trusted_peer_every_forwarding_header_is_kept()
    {
        using var request = RequestWith([.. TrustedForwardedHeaders.ForwardingHeaders, .. Kept]);

        TrustedForwardedHeaders.RemoveUnvouched(request.Headers, "GET", trustedPeer: true);

        Assert.Equal(TrustedForwardedHeaders.ForwardingHeaders.Count + Kept.Length, request.Headers.Count());
    }

    [Theory]
    [InlineData("GET", false, false)]
    [InlineData("HEAD", true, false)]
    [InlineData("OPTIONS", false, false)]
    [InlineData("TRACE", true, false)]
    [InlineData("get", false, false)]
    [InlineData("POST", false, true)]
    [InlineData("PATCH", true, true)]
    public void Method_overrides_are_removed_on_bodiless_methods_whoever_sent_them(string method, bool trustedPeer, bool kept)
    {
        using var request = RequestWith(TrustedForwardedHeaders.MethodOverrideHeaders);

        TrustedForwardedHeaders.RemoveUnvouched(request.Headers, method, trustedPeer);

        Assert.Equal(kept ? TrustedForwardedHeaders.MethodOverrideHeaders.Count : 0, request.Headers.Count());
    }

    [Fact]
    public void The_list_names_each_header_once_and_matching_ignores_case()
    {
        Assert.Equal(
            TrustedForwardedHeaders.ForwardingHeaders.Count,
            TrustedForwardedHeaders.ForwardingHeaders.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        using var request = RequestWith(["x-real-ip", "FORWARDED", "cf-connecting-ip"]);

        TrustedForwardedHeaders.RemoveUnvouched(request.Headers, "GET", trustedPeer: false);

        Assert.Empty(request.Headers);
    }

    private static HttpRequestMessage RequestWith(IEnumerable<string> names)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "http://origin.test/");
        foreach (var name in names)
        {
            Assert.True(request.Headers.TryAddWithoutValidation(name, "value"), name);
        }

        return request;
    }
}
