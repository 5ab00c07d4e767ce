using System.Net;
using System.Text.Json.Nodes;
using Able.Attribution.Visitors;
using Able.Schema.Redis;
using Able.Schema.Visitors;
using static Able.FunctionalTests.Capture.GatewayRequests;

namespace Able.FunctionalTests.Capture;

/// <summary>
/// 22 base64url characters whose last character leaves spare bits set are not a visitor id we issued
/// (16 bytes fill 21 characters and 2 bits; a client can set the other 4): the gateway treats them as "not ours", never as a server error.
/// </summary>
public sealed class NonCanonicalVisitorIdTests
{
    private const string Base64UrlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    /// <summary>Only these end a 16-byte id: the last character carries 2 bits and 4 zero bits.</summary>
    private const string CanonicalLastCharacters = "AQgw";

    [Fact]
    public async Task A_visitor_cookie_with_non_zero_spare_bits_gets_a_new_id_not_a_500_for_every_last_character()
    {
        // 64 visitors from one address: more than the default new-visitor budget, which is not what this is about.
        await using var run = await GatewayWithOrigin.StartAsync(config =>
            config.Able["Gateway"]!["Capture"] = new JsonObject { ["Budget"] = new JsonObject { ["NewVisitorsPerIpPerMinute"] = 200 } });
        var (_, redis, config, gateway) = run;
        var keys = new RedisKeys(config.KeyPrefix);

        foreach (var last in Base64UrlAlphabet)
        {
            var planted = new string('A', 21) + last;
            using var response = await gateway.Client.SendAsync(Page(gateway.PublicBase, "/landing?utm_source=tiktok", $"able_vid={planted}"));

            Assert.True(response.StatusCode == HttpStatusCode.OK, $"able_vid={planted}: {(int)response.StatusCode}");
            var issued = VisitorCookie(response);
            Assert.NotNull(issued);
            Assert.True(VisitorId.IsWellFormed(issued));
            if (CanonicalLastCharacters.Contains(last, StringComparison.Ordinal))
            {
                Assert.Equal(planted, issued);
            }
            else
            {
                Assert.NotEqual(planted, issued);
                Assert.False(await redis.Multiplexer.GetDatabase().KeyExistsAsync(keys.Visitor(planted)), planted);
            }
        }
    }

    [Fact]
    public async Task The_management_lookup_answers_400_for_a_non_canonical_id()
    {
        await using var run = await GatewayWithOrigin.StartAsync();
        var gateway = run.Gateway;

        using var response = await gateway.Client.GetAsync(new Uri(gateway.ManagementBase, "/visitors/AAAAAAAAAAAAAAAAAAAAAB"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("22 base64url characters", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
