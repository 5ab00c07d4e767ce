using System.Globalization;

namespace Able.Benchmarks.Suite;

/// <summary>
/// The suite's command line (<c>./able bench</c> passes its options through and adds the paths):
/// <c>suite --root DIR --state DIR [--quick] [--duration S] [--warmup S] [--rounds N] [--only click,returning,asset] [--out FILE]</c>.
/// </summary>
internal sealed record SuiteOptions
{
    public static readonly string[] AllScenarios = ["click", "returning", "asset"];

    public required string Root { get; init; }

    /// <summary>Where Redis data, generated configs and logs go (<c>.able/bench</c>).</summary>
    public required string State { get; init; }

    public bool Quick { get; init; }

    public int DurationSeconds { get; init; } = 10;

    public int WarmupSeconds { get; init; } = 20;

    public int Rounds { get; init; } = 3;

    public IReadOnlyList<string> Scenarios { get; init; } = AllScenarios;

    public string? Out { get; init; }

    /// <summary>Click requests for the Redis bytes-per-visitor and commands-per-capture measurement.</summary>
    public int FootprintRequests { get; init; } = 20_000;

    /// <summary>Seconds of 1-second wrk slices from a fresh gateway's launch.</summary>
    public int SteadySeconds { get; init; } = 30;

    public int Connections { get; init; } = 32;

    public int Threads { get; init; } = 2;

    public string Configuration { get; init; } = "Release";

    public string GatewayDll => Path.Combine(Root, "gateway/Able.Gateway/bin", Configuration, "net10.0/Able.Gateway.dll");

    public string AttributionDll => Path.Combine(Root, "attribution/Able.Attribution.Service/bin", Configuration, "net10.0/Able.Attribution.Service.dll");

    public string BaseConfig => Path.Combine(Root, "config/able.json");

    public static SuiteOptions Parse(IReadOnlyList<string> args)
    {
        string? root = null, state = null, output = null;
        bool quick = false;
        int? duration = null, warmup = null, rounds = null;
        IReadOnlyList<string>? only = null;
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Number() => int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n
                : throw new ArgumentException($"{args[i - 1]} needs a positive whole number");
            switch (args[i])
            {
                case "--root": root = Value(); break;
                case "--state": state = Value(); break;
                case "--quick": quick = true; break;
                case "--duration": duration = Number(); break;
                case "--warmup": warmup = Number(); break;
                case "--rounds": rounds = Number(); break;
                case "--out": output = Value(); break;
                case "--only": only = ParseScenarios(Value()); break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }

        root = Path.GetFullPath(root ?? throw new ArgumentException("--root DIR is required"));
        return new SuiteOptions
        {
            Root = root,
            State = Path.GetFullPath(state ?? Path.Combine(root, ".able/bench")),
            Quick = quick,
            DurationSeconds = duration ?? (quick ? 3 : 10),
            WarmupSeconds = warmup ?? (quick ? 3 : 20),
            Rounds = rounds ?? (quick ? 1 : 3),
            Scenarios = only ?? AllScenarios,
            Out = output is null ? null : Path.GetFullPath(output),
            FootprintRequests = quick ? 2_000 : 20_000,
            SteadySeconds = quick ? 10 : 30,
        };
    }

    private static string[] ParseScenarios(string value)
    {
        var names = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var name in names)
        {
            if (!AllScenarios.Contains(name, StringComparer.Ordinal))
            {
                throw new ArgumentException($"--only: unknown scenario {name} (click, returning, asset)");
            }
        }

        // Kept in the suite's order, whatever order they were given in.
        return names.Length == 0
            ? throw new ArgumentException("--only needs at least one scenario")
            : [.. AllScenarios.Where(names.Contains)];
    }
}
