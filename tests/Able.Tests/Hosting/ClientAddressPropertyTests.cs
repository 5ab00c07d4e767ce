using System.Net;
using Able.Hosting;
using CsCheck;

namespace Able.Tests.Hosting;

/// <summary><see cref="ClientAddress"/> on any <c>X-Forwarded-For</c>: never throws; an untrusted peer is always the answer.</summary>
public sealed class ClientAddressPropertyTests
{
    private static readonly ClientAddress Trusting = ClientAddress.FromCidrs(["10.0.0.0/8", "::1/128"]);

    private static readonly Gen<string> ForwardedFor = AdversarialInput.Weighted(
        (2, AdversarialInput.Text),
        (3, AdversarialInput.Weighted(
                (2, AdversarialInput.Element("10.0.0.7", "198.51.100.1", "198.51.100.1:54321", "[2001:db8::7]:443", "2001:db8::7", "::ffff:10.0.0.1", "fe80::1%eth0", "[::1]", "unknown", "_hidden", "1.2", "1234", "")),
                (1, AdversarialInput.Text))
            .Array[0, 6]
            .Select(AdversarialInput.Element(",", ", ", " ,", ",,"), (hops, separator) => string.Join(separator, hops))));

    private static readonly Gen<IPAddress?> Peer = AdversarialInput.Weighted(
        (1, AdversarialInput.Element<IPAddress?>(null, null)),
        (2, AdversarialInput.Element("10.0.0.2", "::1", "::ffff:10.0.0.2", "203.0.113.5").Select(a => (IPAddress?)IPAddress.Parse(a))),
        (1, Gen.Byte.Array[4].Select(b => (IPAddress?)new IPAddress(b))),
        (1, Gen.Byte.Array[16].Select(b => (IPAddress?)new IPAddress(b))));

    [Fact]
    public void Any_forwarded_for_gives_an_address_and_an_untrusted_peer_is_the_client() =>
        Gen.Select(Peer, ForwardedFor).Sample((peer, forwardedFor) =>
        {
            var client = Trusting.Resolve(peer, forwardedFor);
            if (peer is null || !Trusting.IsTrusted(peer))
            {
                Assert.Equal(ClientAddress.Normalise(peer), client);
            }
            else
            {
                Assert.NotNull(client);
            }
        }, iter: AdversarialInput.Iterations);
}
