using System.Net;
using Able.Hosting;

namespace Able.Tests.Hosting;

public sealed class ClientAddressTests
{
    [Theory]
    // No trusted proxies: the header is never believed.
    [InlineData("", "203.0.113.5", "198.51.100.1", "203.0.113.5")]
    // Peer not trusted: header ignored.
    [InlineData("10.0.0.0/8", "203.0.113.5", "198.51.100.1", "203.0.113.5")]
    // Trusted peer: the client is the rightmost untrusted hop.
    [InlineData("10.0.0.0/8", "10.0.0.2", "198.51.100.1", "198.51.100.1")]
    [InlineData("10.0.0.0/8", "10.0.0.2", "192.0.2.66, 198.51.100.1", "198.51.100.1")]
    [InlineData("10.0.0.0/8", "10.0.0.2", "192.0.2.66, 198.51.100.1, 10.0.0.9", "198.51.100.1")]
    [InlineData("10.0.0.0/8,172.16.0.0/12", "10.0.0.2", "198.51.100.1,172.16.4.4,10.3.3.3", "198.51.100.1")]
    // Every hop trusted: the leftmost one.
    [InlineData("10.0.0.0/8", "10.0.0.2", "10.0.0.7, 10.0.0.8", "10.0.0.7")]
    // Trusted peer without the header: the peer.
    [InlineData("10.0.0.0/8", "10.0.0.2", null, "10.0.0.2")]
    [InlineData("10.0.0.0/8", "10.0.0.2", "", "10.0.0.2")]
    // Ports and IPv6 forms.
    [InlineData("10.0.0.0/8", "10.0.0.2", "198.51.100.1:54321", "198.51.100.1")]
    [InlineData("10.0.0.0/8", "10.0.0.2", "[2001:db8::7]:443", "2001:db8::7")]
    [InlineData("10.0.0.0/8", "10.0.0.2", "2001:db8::7", "2001:db8::7")]
    [InlineData("::1/128", "::1", "198.51.100.1", "198.51.100.1")]
    // IPv4-mapped peer is matched against IPv4 CIDRs.
    [InlineData("127.0.0.0/8", "::ffff:127.0.0.1", "198.51.100.1", "198.51.100.1")]
    // Garbage in the header stops the walk at the last address that could be verified.
    [InlineData("10.0.0.0/8", "10.0.0.2", "198.51.100.1, not-an-ip", "10.0.0.2")]
    [InlineData("10.0.0.0/8", "10.0.0.2", "not-an-ip, 198.51.100.1", "198.51.100.1")]
    [InlineData("10.0.0.0/8", "10.0.0.2", "unknown, 10.0.0.5", "10.0.0.5")]
    [InlineData("10.0.0.0/8", "10.0.0.2", "1234", "10.0.0.2")]
    [InlineData("10.0.0.0/8", "10.0.0.2", "198.51", "10.0.0.2")]
    public void Forwarded_for_is_believed_only_from_trusted_proxies(string cidrs, string peer, string? forwardedFor, string expected)
    {
        var resolver = ClientAddress.FromCidrs(cidrs.Split(',', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(IPAddress.Parse(expected), resolver.Resolve(IPAddress.Parse(peer), forwardedFor));
    }

    [Fact]
    public void No_peer_address_gives_null() =>
        Assert.Null(ClientAddress.FromCidrs(["10.0.0.0/8"]).Resolve(null, "198.51.100.1"));

    /// <summary>An IPv4 client on a dual-stack socket is seen as <c>::ffff:a.b.c.d</c>; it is reported as plain IPv4.</summary>
    [Theory]
    [InlineData("")]
    [InlineData("10.0.0.0/8")]
    [InlineData("::ffff:10.0.0.0/104")]
    public void A_direct_ipv4_mapped_peer_is_the_plain_ipv4_client(string cidrs)
    {
        var resolver = ClientAddress.FromCidrs(cidrs.Split(',', StringSplitOptions.RemoveEmptyEntries));

        var client = resolver.Resolve(IPAddress.Parse("::ffff:203.0.113.7"), "198.51.100.1");

        Assert.Equal(IPAddress.Parse("203.0.113.7"), client);
        Assert.Equal(System.Net.Sockets.AddressFamily.InterNetwork, client!.AddressFamily);
    }

    [Fact]
    public void Normalise_maps_only_ipv4_mapped_addresses()
    {
        Assert.Equal(IPAddress.Parse("203.0.113.7"), ClientAddress.Normalise(IPAddress.Parse("::ffff:203.0.113.7")));
        Assert.Equal(IPAddress.Parse("203.0.113.7"), ClientAddress.Normalise(IPAddress.Parse("203.0.113.7")));
        Assert.Equal(IPAddress.Parse("2001:db8::7"), ClientAddress.Normalise(IPAddress.Parse("2001:db8::7")));
        Assert.Null(ClientAddress.Normalise(null));
    }

    /// <summary>A trusted proxy reaching a dual-stack socket over IPv4 is matched against the IPv4 CIDR it was configured as.</summary>
    [Theory]
    [InlineData("::ffff:10.0.0.2", true)]
    [InlineData("10.0.0.2", true)]
    [InlineData("::ffff:203.0.113.7", false)]
    public void An_ipv4_mapped_peer_is_matched_against_ipv4_trusted_networks(string peer, bool trusted)
    {
        var resolver = ClientAddress.FromCidrs(["10.0.0.0/8"]);

        Assert.Equal(trusted, resolver.IsTrusted(IPAddress.Parse(peer)));
        Assert.Equal(trusted ? IPAddress.Parse("198.51.100.1") : IPAddress.Parse("203.0.113.7"), resolver.Resolve(IPAddress.Parse(peer), "198.51.100.1"));
    }

    [Fact]
    public void An_ipv4_mapped_hop_in_forwarded_for_is_matched_and_reported_as_ipv4()
    {
        var resolver = ClientAddress.FromCidrs(["10.0.0.0/8"]);

        Assert.Equal(IPAddress.Parse("198.51.100.1"), resolver.Resolve(IPAddress.Parse("10.0.0.2"), "198.51.100.1, ::ffff:10.0.0.9"));
        Assert.Equal(IPAddress.Parse("198.51.100.1"), resolver.Resolve(IPAddress.Parse("10.0.0.2"), "::ffff:198.51.100.1"));
    }
}
