namespace Able.Benchmarks.Suite;

/// <summary>One kind of request the bench sends, with the wrk script (wrk/*.lua) that sends it.</summary>
internal sealed record Scenario(string Name, string Sends)
{
    public static readonly Scenario Click = new("click",
        "a TikTok ad click from a new visitor: GET /?ttclid=<unique per request>&utm_source=tiktok&utm_medium=paid&utm_campaign=spring_sale&utm_content=video_a, " +
        "an iPhone Safari User-Agent, Accept text/html, no cookie (the gateway captures it and makes a new visitor)");

    public static readonly Scenario Returning = new("returning",
        "a returning visitor: GET /pricing with the able_vid cookie the gateway gave one visitor before the runs, a desktop Chrome User-Agent, " +
        "Accept text/html, no ttclid, no UTMs (the gateway captures a touch of that visitor)");

    public static readonly Scenario Asset = new("asset",
        "a static asset: GET /assets/site.css (1 KB), Accept text/css (nothing is captured)");

    public static IReadOnlyList<Scenario> Named(IEnumerable<string> names) =>
        [.. names.Select(name => name switch
        {
            "click" => Click,
            "returning" => Returning,
            "asset" => Asset,
            _ => throw new ArgumentException($"unknown scenario {name}"),
        })];

    public string Script => Name + ".lua";
}
