using Able.Benchmarks.BareYarp;
using Able.Benchmarks.Origin;

// The benchmark program that ./able bench drives (README, "Performance"). One process per role:
//   origin --urls URL                   the 1 KB HTML origin every proxy forwards to
//   yarp --urls URL --origin URL        bare YARP: one catch-all route, nothing else (the baseline)
//   micro [BenchmarkDotNet arguments]   the BenchmarkDotNet micro-benchmarks (rewriter, capture parsing, records)
return args switch
{
    ["origin", .. var rest] => await BenchOrigin.RunAsync(rest),
    ["yarp", .. var rest] => await BareYarpProxy.RunAsync(rest),
    ["micro", .. var rest] => Able.Benchmarks.Micro.MicroBenchmarks.Run(rest),
    ["conversions", .. var rest] => await Able.Benchmarks.Conversions.ConversionLoad.RunAsync(rest),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Able.Benchmarks origin|yarp|micro [options] (see ./able bench)");
    return 64;
}
