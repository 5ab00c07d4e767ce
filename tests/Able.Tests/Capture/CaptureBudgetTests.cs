using System.Net;
using Able.Gateway.Capture;
using Able.Schema.Configuration;
using Microsoft.Extensions.Options;

namespace Able.Tests.Capture;

public sealed class CaptureBudgetTests
{
    [Theory]
    [InlineData("2001:db8:1:2::a", "2001:db8:1:2:ffff:ffff:ffff:ffff", true)]
    [InlineData("2001:db8:1:2::a", "2001:db8:1:3::a", false)]
    [InlineData("203.0.113.1", "203.0.113.1", true)]
    [InlineData("203.0.113.1", "203.0.113.2", false)]
    [InlineData("1.2.3.4", "102:304::", false)]
    public void Ipv6_clients_share_a_budget_per_64_bit_prefix_and_ipv4_clients_per_address(string a, string b, bool shared) =>
        Assert.Equal(shared, CaptureBudget.AddressKey(IPAddress.Parse(a)) == CaptureBudget.AddressKey(IPAddress.Parse(b)));

    [Fact]
    public void Made_up_visitor_ids_spend_the_address_budget_and_known_visitors_only_their_own()
    {
        var time = new ManualTimestamps();
        var budget = new CaptureBudget(Options.Create(new AbleOptions
        {
            Gateway = new GatewayOptions
            {
                Capture = new CaptureOptions { Budget = new CaptureBudgetOptions { NewVisitorsPerIpPerMinute = 2, CapturesPerVisitorPerMinute = 3 } },
            },
        }), time);
        var client = IPAddress.Parse("198.51.100.7");

        Assert.True(budget.AdmitsNewVisitor(client, "issued"));      // address 1 of 2, visitor 1 of 3
        Assert.True(budget.AdmitsCapture(client, "made-up-1"));     // address 2 of 2
        Assert.False(budget.AdmitsCapture(client, "made-up-2"));    // address spent
        Assert.False(budget.AdmitsNewVisitor(client, "another"));
        Assert.True(budget.AdmitsCapture(client, "issued"));        // a known visitor: only its own budget
        Assert.True(budget.AdmitsCapture(client, "issued"));
        Assert.False(budget.AdmitsCapture(client, "issued"));
        Assert.True(budget.AdmitsCapture(client, "made-up-1"));     // remembered once admitted
        Assert.True(budget.AdmitsCapture(client, "made-up-1"));
        Assert.False(budget.AdmitsCapture(client, "made-up-1"));

        // Refused ids are not remembered: after half a minute the address has one new visitor again, no more.
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(budget.AdmitsCapture(client, "made-up-2"));
        Assert.False(budget.AdmitsCapture(client, "made-up-3"));
        Assert.True(budget.AdmitsNewVisitor(IPAddress.Parse("198.51.100.8"), "elsewhere"));
    }

    private sealed class ManualTimestamps : TimeProvider
    {
        private long now = 1_000_000;

        public override long TimestampFrequency => 1000;

        public override long GetTimestamp() => now;

        public void Advance(TimeSpan by) => now += (long)by.TotalMilliseconds;
    }
}
