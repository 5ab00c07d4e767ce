using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

namespace Able.Benchmarks.Micro;

/// <summary>The BenchmarkDotNet micro-benchmarks: <c>./able bench micro [--filter *Rewriter*]</c>.</summary>
internal static class MicroBenchmarks
{
    public static int Run(string[] args)
    {
        // BenchmarkDotNet builds a project per run; its default 2-minute limit is not enough on a busy 2-core machine.
        BenchmarkSwitcher.FromAssembly(typeof(MicroBenchmarks).Assembly).Run(args, ManualConfig.Create(DefaultConfig.Instance).WithBuildTimeout(TimeSpan.FromMinutes(15)));
        return 0;
    }
}
