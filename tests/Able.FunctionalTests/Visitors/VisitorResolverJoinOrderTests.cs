using Able.Attribution.Conversions;
using Able.Attribution.Visitors;
using Able.Schema.Identity;
using Able.Schema.Redis;
using Able.Schema.Visitors;
using StackExchange.Redis;

namespace Able.FunctionalTests.Visitors;

/// <summary>
/// <see cref="VisitorResolver"/>'s join order as its documentation states it: the carried
/// visitor id, then the invitee uuid's confirmation link, then email hash links, then phone hash links; the
/// first that leads to an existing visitor wins, and a miss explains every step tried. Each test links every
/// identifier it offers to a different visitor, so the join path and the visitor show which step won.
/// </summary>
public sealed class VisitorResolverJoinOrderTests
{
    private const string Carrier = "salesforce_uuid";
    private const string Invitee = "8f1c3a52-0d7e-4d4b-9d0e-6b0c2f3e4a10";
    private static readonly string Email = ContactHashing.Sha256Hex("jane@example.com");
    private static readonly string OtherEmail = ContactHashing.Sha256Hex("jane.doe@example.com");
    private static readonly string Phone = ContactHashing.Sha256Hex("+4915112345678");

    [Fact]
    public async Task The_carried_visitor_id_wins_over_every_link()
    {
        var world = await World.StartAsync();
        var byCarrier = await world.VisitorAsync();
        await world.LinkAllAsync();

        var resolution = await world.Resolver.ResolveAsync(Conversion(carried: byCarrier, invitee: Invitee, emails: [Email], phones: [Phone]));

        Assert.Equal(byCarrier, resolution.Visitor?.VisitorId);
        Assert.Equal($"carrier:{Carrier}", resolution.JoinPath);
        Assert.Null(resolution.NoJoinReason);
    }

    [Fact]
    public async Task The_invitee_link_comes_next_when_the_carrier_names_an_unknown_visitor()
    {
        var world = await World.StartAsync();
        var linked = await world.LinkAllAsync();

        var resolution = await world.Resolver.ResolveAsync(Conversion(carried: VisitorId.New(), invitee: Invitee, emails: [Email], phones: [Phone]));

        Assert.Equal(linked.ByInvitee, resolution.Visitor?.VisitorId);
        Assert.Equal("invitee_link", resolution.JoinPath);
    }

    [Theory]
    [InlineData("not-a-visitor-id")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAB")] // 22 base64url characters, spare bits set: not canonical
    public async Task A_carrier_that_is_not_a_visitor_id_is_passed_over_even_when_a_hash_exists_under_it(string carried)
    {
        var world = await World.StartAsync();
        await world.Db.HashSetAsync(world.Keys.Visitor(carried), VisitorFields.Mark, "acme");
        var linked = await world.LinkAllAsync();

        var resolution = await world.Resolver.ResolveAsync(Conversion(carried: carried, invitee: Invitee, emails: [Email], phones: [Phone]));

        Assert.Equal(linked.ByInvitee, resolution.Visitor?.VisitorId);
        Assert.Equal("invitee_link", resolution.JoinPath);
    }

    [Fact]
    public async Task The_email_link_comes_next_when_the_invitee_has_no_confirmation_link()
    {
        var world = await World.StartAsync();
        var linked = await world.LinkAllAsync(linkInvitee: false);

        var resolution = await world.Resolver.ResolveAsync(Conversion(carried: null, invitee: Invitee, emails: [Email], phones: [Phone]));

        Assert.Equal(linked.ByEmail, resolution.Visitor?.VisitorId);
        Assert.Equal("email", resolution.JoinPath);
    }

    [Fact]
    public async Task Email_hashes_are_tried_in_the_conversions_order_and_the_first_linked_one_wins()
    {
        var world = await World.StartAsync();
        var first = await world.VisitorAsync();
        var second = await world.VisitorAsync();
        await world.Db.StringSetAsync(world.Keys.EmailLink(Email), first);
        await world.Db.StringSetAsync(world.Keys.EmailLink(OtherEmail), second);
        var unlinked = ContactHashing.Sha256Hex("nobody@example.com");

        var resolution = await world.Resolver.ResolveAsync(Conversion(emails: [unlinked, OtherEmail, Email]));

        Assert.Equal(second, resolution.Visitor?.VisitorId);
        Assert.Equal("email", resolution.JoinPath);
    }

    [Fact]
    public async Task The_phone_link_comes_last()
    {
        var world = await World.StartAsync();
        var linked = await world.LinkAllAsync(linkInvitee: false, linkEmail: false);

        var resolution = await world.Resolver.ResolveAsync(Conversion(carried: VisitorId.New(), invitee: Invitee, emails: [Email], phones: [Phone]));

        Assert.Equal(linked.ByPhone, resolution.Visitor?.VisitorId);
        Assert.Equal("phone", resolution.JoinPath);
    }

    [Fact]
    public async Task A_link_to_an_expired_visitor_or_to_something_that_is_not_a_visitor_id_falls_through_to_the_next_step()
    {
        var world = await World.StartAsync();
        var byPhone = await world.VisitorAsync();
        await world.Db.StringSetAsync(world.Keys.InviteeLink(Invitee), VisitorId.New()); // visitor hash expired
        await world.Db.StringSetAsync(world.Keys.EmailLink(Email), "garbage");
        await world.Db.StringSetAsync(world.Keys.PhoneLink(Phone), byPhone);

        var resolution = await world.Resolver.ResolveAsync(Conversion(invitee: Invitee, emails: [Email], phones: [Phone]));

        Assert.Equal(byPhone, resolution.Visitor?.VisitorId);
        Assert.Equal("phone", resolution.JoinPath);
    }

    [Fact]
    public async Task No_join_explains_every_step_in_order()
    {
        var world = await World.StartAsync();

        var unknownCarrier = await world.Resolver.ResolveAsync(Conversion(carried: VisitorId.New(), invitee: Invitee, emails: [Email], phones: [Phone]));
        var malformedCarrier = await world.Resolver.ResolveAsync(Conversion(carried: "x", emails: [Email]));
        var nothingCarried = await world.Resolver.ResolveAsync(Conversion(carried: null));
        var noCarrierAtAll = await world.Resolver.ResolveAsync(Conversion(carried: null, carrierName: null, phones: [Phone]));

        Assert.All([unknownCarrier, malformedCarrier, nothingCarried, noCarrierAtAll], r => Assert.True(r.Visitor is null && r.JoinPath is null));
        Assert.Equal(
            $"{Carrier} names an unknown visitor; no confirmation link for the invitee; email not linked to a visitor; phone not linked to a visitor",
            unknownCarrier.NoJoinReason);
        Assert.Equal($"{Carrier} is not a visitor id; email not linked to a visitor; no phone", malformedCarrier.NoJoinReason);
        Assert.Equal($"no {Carrier}; no email; no phone", nothingCarried.NoJoinReason);
        Assert.Equal("no email; phone not linked to a visitor", noCarrierAtAll.NoJoinReason);
    }

    [Fact]
    public async Task Recorded_contacts_let_a_later_conversion_join_by_email_and_never_move_an_existing_invitee_link()
    {
        var world = await World.StartAsync();
        var visitor = await world.VisitorAsync();
        var confirmed = await world.VisitorAsync();
        await world.Db.StringSetAsync(world.Keys.InviteeLink(Invitee), confirmed); // written by the booking confirmation

        var booking = Conversion(carried: visitor, invitee: Invitee, emails: [Email], phones: [Phone]);
        var resolution = await world.Resolver.ResolveAsync(booking);
        Assert.Equal($"carrier:{Carrier}", resolution.JoinPath);
        await world.Resolver.RecordContactsAsync(resolution.Visitor!, booking, TimeSpan.FromDays(30));

        var purchase = await world.Resolver.ResolveAsync(Conversion(carried: null, carrierName: null, emails: [Email]));
        Assert.Equal(visitor, purchase.Visitor?.VisitorId);
        Assert.Equal("email", purchase.JoinPath);
        Assert.Equal([Email], purchase.Visitor!.EmailHashes);
        Assert.Equal([Phone], purchase.Visitor.PhoneHashes);
        Assert.Equal(visitor, (string?)await world.Db.StringGetAsync(world.Keys.PhoneLink(Phone)));
        Assert.Equal(confirmed, (string?)await world.Db.StringGetAsync(world.Keys.InviteeLink(Invitee)));
        Assert.InRange((await world.Db.KeyTimeToLiveAsync(world.Keys.EmailLink(Email)))!.Value, TimeSpan.FromDays(29), TimeSpan.FromDays(30));
    }

    private static Conversion Conversion(
        string? carried = null, string? carrierName = Carrier, string? invitee = null, string[]? emails = null, string[]? phones = null) => new()
    {
        Mark = "acme",
        Source = "calendly",
        SourceEvent = "invitee.created",
        Decision = ConversionDecision.Send,
        ReceiptId = Guid.NewGuid().ToString("N"),
        CarriedVisitorId = carried,
        CarrierName = carrierName,
        InviteeUuid = invitee,
        EmailHashes = emails ?? [],
        PhoneHashes = phones ?? [],
    };

    private sealed record Linked(string ByInvitee, string ByEmail, string ByPhone);

    /// <summary>A fresh key prefix on the shared test Redis and a resolver over it.</summary>
    private sealed record World(IDatabase Db, RedisKeys Keys, VisitorResolver Resolver)
    {
        public static async Task<World> StartAsync()
        {
            var redis = await RedisTestServer.GetAsync();
            var keys = new RedisKeys(RedisTestServer.NewKeyPrefix());
            return new World(redis.Multiplexer.GetDatabase(), keys, new VisitorResolver(redis.Multiplexer, keys));
        }

        /// <summary>A captured visitor (a hash with one touch field), as the gateway leaves it.</summary>
        public async Task<string> VisitorAsync()
        {
            var vid = VisitorId.New();
            await Db.HashSetAsync(Keys.Visitor(vid), VisitorFields.Mark, "acme");
            return vid;
        }

        /// <summary>The invitee, email and phone each linked to a visitor of its own (unless told not to).</summary>
        public async Task<Linked> LinkAllAsync(bool linkInvitee = true, bool linkEmail = true)
        {
            var linked = new Linked(await VisitorAsync(), await VisitorAsync(), await VisitorAsync());
            if (linkInvitee)
            {
                await Db.StringSetAsync(Keys.InviteeLink(Invitee), linked.ByInvitee);
            }

            if (linkEmail)
            {
                await Db.StringSetAsync(Keys.EmailLink(Email), linked.ByEmail);
            }

            await Db.StringSetAsync(Keys.PhoneLink(Phone), linked.ByPhone);
            return linked;
        }
    }
}
