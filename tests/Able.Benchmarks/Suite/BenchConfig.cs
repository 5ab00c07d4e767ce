using System.Text.Json;
using System.Text.Json.Nodes;

namespace Able.Benchmarks.Suite;

/// <summary>
/// The gateway's configuration for the bench: <c>config/able.json</c> as a user gets it, with only what the bench must
/// change: Redis is the bench Redis, the listen URLs are free loopback ports, the first funnel (its hosts 127.0.0.1 and
/// localhost) has the bench origin, and the capture budget is raised so that every request is captured (with the
/// default, wrk's one client address gets 30 new visitors a minute and the rest would measure the refusal path).
/// </summary>
internal static class BenchConfig
{
    /// <summary>The budget the bench sets (the validator's maximum): no request of the bench is over it.</summary>
    public const int UnlimitedBudget = 1_000_000;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Write(SuiteOptions options, BenchPorts ports)
    {
        var root = JsonNode.Parse(File.ReadAllText(options.BaseConfig))?.AsObject()
            ?? throw new InvalidOperationException($"{options.BaseConfig} is not a JSON object");
        var able = root["Able"]!.AsObject();
        able["Redis"]!["Configuration"] = $"127.0.0.1:{ports.Redis}";
        var gateway = able["Gateway"]!;
        gateway["PublicUrl"] = $"http://127.0.0.1:{ports.Gateway}";
        gateway["ManagementUrl"] = $"http://127.0.0.1:{ports.GatewayManagement}";
        gateway["AttributionUrl"] = $"http://127.0.0.1:{ports.Attribution}";
        var budget = gateway["Capture"]!["Budget"]!;
        budget["NewVisitorsPerIpPerMinute"] = UnlimitedBudget;
        budget["CapturesPerVisitorPerMinute"] = UnlimitedBudget;
        var attribution = able["Attribution"]!;
        attribution["PublicUrl"] = $"http://127.0.0.1:{ports.Attribution}";
        attribution["ManagementUrl"] = $"http://127.0.0.1:{ports.AttributionManagement}";
        var funnel = able["Funnels"]![0]!.AsObject();
        funnel["Hosts"] = new JsonArray("127.0.0.1", "localhost");
        funnel["Origin"] = $"http://127.0.0.1:{ports.Origin}";
        able["Funnels"] = new JsonArray(funnel.DeepClone());

        // A folder of its own: the gateway watches its configuration file's folder and everything below it, and the bench's
        // state folder also holds Redis's append-only file and the process logs, which change on every capture and log
        // line (a profile found the gateway's file-watch thread at 3 % of its CPU when they shared a folder).
        var folder = Path.Combine(options.State, "config");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "able.bench.json");
        File.WriteAllText(path, root.ToJsonString(Indented));
        return path;
    }
}
