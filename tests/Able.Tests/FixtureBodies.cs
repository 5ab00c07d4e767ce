namespace Able.Tests;

/// <summary>The real bodies the JSON parser property tests mutate.</summary>
internal static class FixtureBodies
{
    public const string Conversion =
        """{"funnel":"acme","event":"Purchase","event_id":"order-1001","event_time":1773926400,"email":"Jane.Doe@Example.com ","phone":"+49 151 12345678","external_id":"crm-7","value":149.5,"currency":"EUR","visitor_id":"AAAAAAAAAAAAAAAAAAAAAA"}""";

    public const string TikTokReply = """{"code":0,"message":"OK","request_id":"202603041503000000","data":{"events":[{"event_id":"x","code":40002,"message":"Invalid"}]}}""";

    public static string[] Calendly { get; } = [.. Directory.GetFiles(Path.Combine(Fixtures.Root, "calendly"), "*.json").Order(StringComparer.Ordinal).Select(f => Fixtures.Read(Path.Combine("calendly", Path.GetFileName(f)), "AAAAAAAAAAAAAAAAAAAAAA"))];

    public static string[] Stripe { get; } = [.. Directory.GetFiles(Path.Combine(Fixtures.Root, "stripe"), "*.json").Order(StringComparer.Ordinal).Select(File.ReadAllText)];

    public static string[] ConversionBatches { get; } = [Conversion, $"[{Conversion},{Conversion}]", """{"funnel":"acme","event":"Lead","event_id":"lead-7"}"""];
}
