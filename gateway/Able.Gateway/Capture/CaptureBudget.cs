using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Able.Gateway.Routing;
using Able.Schema.Configuration;
using Microsoft.Extensions.Options;

namespace Able.Gateway.Capture;

/// <summary>
/// The capture abuse budget (<c>Able:Gateway:Capture:Budget</c>), all in memory: the request path never waits on
/// Redis for it. Two budgets in two bounded <see cref="RateBudgetTable"/>s:
/// <list type="bullet">
/// <item>new visitors per client IP (IPv6 per /64), so one client cannot create visitors without end;</item>
/// <item>captures per visitor, so one visitor cannot add touches without end.</item>
/// </list>
/// A visitor cookie the budget does not remember (made up, or from before a restart) is a new visitor for its
/// address's budget once; from then on only its own budget applies. Otherwise a client could send a fresh
/// well-formed id with every request and create visitors past its address's budget.
/// </summary>
internal sealed class CaptureBudget
{
    private readonly RateBudgetTable addresses;
    private readonly RateBudgetTable visitors;
    private readonly TimeProvider time;

    public CaptureBudget(IOptions<AbleOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        var budget = options.Value.Gateway.Capture.Budget;
        this.time = time;
        addresses = new RateBudgetTable(budget.TrackedAddresses, budget.NewVisitorsPerIpPerMinute, time.TimestampFrequency);
        visitors = new RateBudgetTable(budget.TrackedVisitors, budget.CapturesPerVisitorPerMinute, time.TimestampFrequency);
    }

    /// <summary>
    /// A request without a visitor cookie: true when its client may create the visitor <paramref name="visitorId"/>
    /// (whose first capture this is).
    /// </summary>
    public bool AdmitsNewVisitor(IPAddress? client, string visitorId)
    {
        var now = time.GetTimestamp();
        if (!addresses.TryTake(AddressKey(client), now))
        {
            return false;
        }

        visitors.TryTake(VisitorKey(visitorId), now);
        return true;
    }

    /// <summary>A request with a visitor cookie: true when this capture of <paramref name="visitorId"/> may be stored.</summary>
    public bool AdmitsCapture(IPAddress? client, string visitorId)
    {
        var now = time.GetTimestamp();
        var visitor = VisitorKey(visitorId);
        return visitors.TryTakeIfKnown(visitor, now) switch
        {
            KnownBudget.Taken => true,
            KnownBudget.Exhausted => false,
            // Not remembered: it spends one of its address's new visitors, and is remembered only if it got one.
            _ => addresses.TryTake(AddressKey(client), now) && visitors.TryTake(visitor, now),
        };
    }

    /// <summary>
    /// The budget key of a client address: an IPv4 address as it is, an IPv6 address by its first 64 bits (one
    /// subscriber's network; devices rotate the lower half at will). Callers pass addresses already resolved
    /// through trusted proxies and with IPv4-mapped IPv6 unwrapped (<see cref="ClientAddressResolver"/>).
    /// </summary>
    public static ulong AddressKey(IPAddress? client)
    {
        Span<byte> bytes = stackalloc byte[17];
        if (client is null)
        {
            return KeyedHash.Of(bytes[..1]);
        }

        bytes[0] = client.AddressFamily == AddressFamily.InterNetworkV6 ? (byte)6 : (byte)4;
        if (!client.TryWriteBytes(bytes[1..], out var written))
        {
            return KeyedHash.Of(bytes[..1]);
        }

        return KeyedHash.Of(bytes[..(1 + (bytes[0] == 6 ? 8 : written))]);
    }

    public static ulong VisitorKey(string visitorId) => KeyedHash.Of(MemoryMarshal.AsBytes(visitorId.AsSpan()));

    /// <summary>
    /// A 64-bit hash seeded at random per process (<see cref="HashCode"/> is), so a client cannot pick addresses
    /// or ids that land on someone else's budget. Never 0.
    /// </summary>
    private static class KeyedHash
    {
        public static ulong Of(ReadOnlySpan<byte> data)
        {
            var high = new HashCode();
            high.AddBytes(data);
            var low = new HashCode();
            low.Add(0x5bd1e995);
            low.AddBytes(data);
            var hash = ((ulong)(uint)high.ToHashCode() << 32) | (uint)low.ToHashCode();
            return hash == 0 ? 1 : hash;
        }
    }
}
