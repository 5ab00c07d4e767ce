using System.Globalization;

namespace Able.Benchmarks.Suite;

/// <summary>What the bench ran on: CPU, cores, RAM, kernel and the versions of every program it measured or used
/// (the SDK as <c>dotnet --version</c> answers in the repository, so global.json applies).</summary>
internal sealed record MachineInfo(string Host, string Cpu, int Cores, string Memory, string Kernel, string DotnetSdk, string Nginx, string Redis, string Wrk)
{
    public static async Task<MachineInfo> ReadAsync(ChildProcesses processes)
    {
        async Task<string> Version(string file, params string[] arguments)
        {
            try
            {
                var (_, output, error) = await processes.RunAsync(file, arguments, timeout: TimeSpan.FromSeconds(30));
                return (output + error).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "?";
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return "not installed";
            }
        }

        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
        var memory = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)) is { } line
            ? $"{long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0 / 1024.0:0.0} GiB"
            : "?";
        var sdk = await Version(Environment.ProcessPath ?? "dotnet", "--version");
        return new MachineInfo(
            Environment.MachineName,
            cpu,
            Environment.ProcessorCount,
            memory,
            File.ReadAllText("/proc/sys/kernel/osrelease").Trim(),
            sdk,
            await Version("nginx", "-v"),
            await Version("redis-server", "--version"),
            await Version("wrk", "-v"));
    }
}
