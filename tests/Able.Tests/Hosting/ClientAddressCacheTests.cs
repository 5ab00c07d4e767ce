using System.Net;
using Able.Hosting;

namespace Able.Tests.Hosting;

/// <summary><see cref="ClientAddressCache"/>: one <see cref="ClientAddress"/> per trusted-proxy list instance, plus the always-trusted CIDRs.</summary>
public sealed class ClientAddressCacheTests
{
    private static readonly IPAddress Client = IPAddress.Parse("203.0.113.7");

    [Fact]
    public void The_same_list_gets_the_same_resolver()
    {
        var cache = new ClientAddressCache();
        string[] proxies = ["10.0.0.0/8"];
        Assert.Same(cache.For(proxies), cache.For(proxies));
    }

    [Fact]
    public void A_reloaded_list_gets_a_new_resolver_even_when_equal()
    {
        var cache = new ClientAddressCache();
        string[] before = ["10.0.0.0/8"];
        string[] reloaded = ["10.0.0.0/8"];
        Assert.NotSame(cache.For(before), cache.For(reloaded));
    }

    [Fact]
    public void A_reload_changes_who_is_trusted()
    {
        var cache = new ClientAddressCache();
        var proxy = IPAddress.Parse("10.1.2.3");
        Assert.Equal(proxy, cache.For([]).Resolve(proxy, Client.ToString()));
        Assert.Equal(Client, cache.For(["10.0.0.0/8"]).Resolve(proxy, Client.ToString()));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public void Always_trusted_cidrs_apply_to_every_list(string peer)
    {
        var withLoopback = new ClientAddressCache("127.0.0.0/8", "::1/128");
        var without = new ClientAddressCache();
        string[] none = [];
        Assert.Equal(Client, withLoopback.For(none).Resolve(IPAddress.Parse(peer), Client.ToString()));
        Assert.Equal(ClientAddress.Normalise(IPAddress.Parse(peer)), without.For(none).Resolve(IPAddress.Parse(peer), Client.ToString()));
        Assert.Equal(Client, withLoopback.For(["10.0.0.0/8"]).Resolve(IPAddress.Parse(peer), Client.ToString()));
    }

    [Fact]
    public void Caches_do_not_share_resolvers()
    {
        string[] proxies = ["10.0.0.0/8"];
        Assert.NotSame(new ClientAddressCache().For(proxies), new ClientAddressCache("127.0.0.0/8").For(proxies));
    }
}
