using System.Text.Json.Nodes;
using Able.Attribution.Conversions;
using Able.Attribution.Ingest;
using Able.Attribution.TikTok;
using Able.Schema.Configuration;
using Able.Schema.Visitors;

namespace Able.Tests.TikTok;

/// <summary>
/// The visitor's client hints as the event's <c>device</c> object, in the shape of TikTok's own server-side GTM tag
/// (tiktok/gtm-template-eapi: <c>browser_version_list</c> an array of brand/version objects, <c>mobile</c> a boolean).
/// </summary>
public sealed class DevicePayloadTests
{
    private const string VisitorId = "c2FtcGxlLXZpc2l0b3ItMQ";

    private static readonly FunnelOptions Funnel = new()
    {
        Mark = "acme",
        Hosts = ["book.example.com"],
        Origin = "https://origin.example.com",
        TikTok = new TikTokFunnelOptions { PixelId = "CABCDEFGHIJKLMNOPQRS" },
    };

    private static readonly DeviceHints AndroidChrome = ChromiumClientHints.Stored with { Architecture = "arm" };

    private static BuiltEvent Build(DeviceHints? device, bool limitedDataUse = false)
    {
        var funnel = Funnel with { TikTok = Funnel.TikTok with { LimitedDataUse = limitedDataUse } };
        var conversion = ConversionClassifier.Classify(IngestEntry.Sources.Calendly, "", Fixtures.Bytes("calendly/invitee-created-free.json", VisitorId), funnel);
        return TikTokEventBuilder.Build(conversion, new VisitorProfile { VisitorId = VisitorId, Ip = "203.0.113.10", Device = device }, funnel);
    }

    [Fact]
    public void Every_hint_goes_into_device_in_the_tag_template_s_shape_and_onto_the_receipt()
    {
        var built = Build(AndroidChrome);

        var expected = JsonNode.Parse(ChromiumClientHints.DeviceJson)!.AsObject();
        expected["architecture"] = "arm";
        Assert.True(JsonNode.DeepEquals(expected, built.Event["device"]), built.Event["device"]?.ToJsonString());
        string[] deviceKeys =
        [
            "device.platform", "device.platform_version", "device.mobile", "device.model", "device.architecture", "device.bitness", "device.browser_version_list",
        ];
        Assert.Equal(deviceKeys, built.KeysAvailable.Where(k => k.StartsWith("device.", StringComparison.Ordinal)));
        Assert.Equal(deviceKeys, built.KeysSent.Where(k => k.StartsWith("device.", StringComparison.Ordinal)));
    }

    [Fact]
    public void Only_the_hints_known_are_sent_and_mobile_false_is_sent()
    {
        var built = Build(new DeviceHints { Brands = "\"Chromium\";v=\"128\"", Mobile = false, Platform = "Windows" });

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"platform":"Windows","mobile":false}"""), built.Event["device"]), built.Event["device"]?.ToJsonString());
        Assert.Equal(["device.platform", "device.mobile"], built.KeysSent.Where(k => k.StartsWith("device.", StringComparison.Ordinal)));
    }

    [Fact]
    public void No_hints_or_only_the_low_entropy_brands_send_no_device_object()
    {
        Assert.False(Build(null).Event.ContainsKey("device"));
        Assert.False(Build(new DeviceHints { Brands = "\"Chromium\";v=\"128\"" }).Event.ContainsKey("device"));
        Assert.DoesNotContain(Build(null).KeysAvailable, k => k.StartsWith("device.", StringComparison.Ordinal));
    }

    [Fact]
    public void Limited_data_use_sends_the_device_like_the_ip_with_the_flag_set()
    {
        var built = Build(AndroidChrome, limitedDataUse: true);

        Assert.True((bool)built.Event["limited_data_use"]!);
        Assert.Equal("203.0.113.10", (string?)built.Event["user"]!["ip"]);
        Assert.Equal("Android", (string?)built.Event["device"]!["platform"]);
    }
}
