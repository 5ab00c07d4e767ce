namespace Able.Benchmarks.Suite;

/// <summary>Everything one suite run measured; what it did not measure is null with a note saying why.</summary>
internal sealed class SuiteResults
{
    public required SuiteOptions Options { get; init; }

    public required MachineInfo Machine { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required IReadOnlyList<Scenario> Scenarios { get; init; }

    public required IReadOnlyList<Target> Targets { get; init; }

    public List<RoundRun> Runs { get; } = [];

    public List<FootprintResult> Footprints { get; } = [];

    public SteadyResult? Steady { get; set; }

    public ConversionsResult? Conversions { get; set; }

    public string ConversionsNote { get; set; } = "not measured: the suite did not get that far";

    /// <summary>Why a part is missing (the suite stopped or failed before it), shown at the top of the results.</summary>
    public List<string> Problems { get; } = [];

    public IEnumerable<RoundRun> RunsOf(Scenario scenario, string target) =>
        Runs.Where(r => r.Scenario == scenario && r.Target.Name == target);

    public double? MedianRequestsPerSecond(Scenario scenario, string target) =>
        RunsOf(scenario, target).Any() ? Median.Of(RunsOf(scenario, target).Select(r => r.Result.RequestsPerSecond)) : null;

    public double? MedianP50(Scenario scenario, string target) =>
        RunsOf(scenario, target).Any() ? Median.Of(RunsOf(scenario, target).Select(r => r.Result.P50Milliseconds)) : null;

    public double? MedianP99(Scenario scenario, string target) =>
        RunsOf(scenario, target).Any() ? Median.Of(RunsOf(scenario, target).Select(r => r.Result.P99Milliseconds)) : null;

    /// <summary>Able gateway / bare YARP of the median req/s of a scenario.</summary>
    public double? ThroughputRatio(Scenario scenario) =>
        MedianRequestsPerSecond(scenario, Target.Able) is { } able && MedianRequestsPerSecond(scenario, Target.BareYarp) is { } yarp && yarp > 0
            ? able / yarp
            : null;

    public double? P99Ratio(Scenario scenario) =>
        MedianP99(scenario, Target.Able) is { } able && MedianP99(scenario, Target.BareYarp) is { } yarp && yarp > 0
            ? able / yarp
            : null;

    public FootprintResult? AdClickFootprint => Footprints.FirstOrDefault(f => f.TouchesPerVisitor == 1);
}
