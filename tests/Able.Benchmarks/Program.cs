using Able.Benchmarks.BareYarp;
using Able.Benchmarks.Origin;
using Able.Benchmarks.Suite;

// The benchmark program that ./able bench drives (README, "Performance"). One process per role:
//   origin --urls URL                   the 1 KB HTML origin every proxy forwards to
//   yarp --urls URL --origin URL        bare YARP: one catch-all route, nothing else (the baseline)
//   micro [BenchmarkDotNet arguments]   the BenchmarkDotNet micro-benchmarks (rewriter, capture parsing, records)
//   suite --root DIR [options]          what ./able bench runs: every server, the wrk rounds, Redis cost, time to
//                                       steady, conversions; writes results/<date>-<host>.md (Suite/SuiteRunner.cs)
//   conversions --redis H:P --attribution-dll PATH [options]
//                                       end-to-end conversions/s and ingress ack latency against a fake TikTok
return args switch
{
    ["origin", .. var rest] => await BenchOrigin.RunAsync(rest),
    ["yarp", .. var rest] => await BareYarpProxy.RunAsync(rest),
    ["micro", .. var rest] => Able.Benchmarks.Micro.MicroBenchmarks.Run(rest),
    ["suite", .. var rest] => await SuiteRunner.RunAsync(rest),
    ["conversions", .. var rest] => await Able.Benchmarks.Conversions.ConversionLoad.RunAsync(rest),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Able.Benchmarks origin|yarp|micro|suite|conversions [options] (see ./able bench)");
    return 64;
}
