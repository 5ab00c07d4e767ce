using BenchmarkDotNet.Running;

namespace Able.Benchmarks.Micro;

/// <summary>The BenchmarkDotNet micro-benchmarks: <c>./able bench micro [--filter *Rewriter*]</c>.</summary>
internal static class MicroBenchmarks
{
    public static int Run(string[] args)
    {
        BenchmarkSwitcher.FromAssembly(typeof(MicroBenchmarks).Assembly).Run(args);
        return 0;
    }
}
