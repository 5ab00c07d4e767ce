using System.Globalization;
using System.Text.RegularExpressions;

namespace Able.Tests.Deployment;

/// <summary>
/// The systemd units in config/systemd: restarted whatever the exit (except a refused configuration), notify-type (the
/// hosts call UseSystemd), a dedicated user, the hardening the README promises, and accepted by systemd-analyze.
/// </summary>
public sealed partial class SystemdUnitTests
{
    public static TheoryData<string, string, string> Units() => new()
    {
        { "config/systemd/able-gateway.service", "gateway/Able.Gateway", typeof(Able.Gateway.GatewayApp).Assembly.GetName().Name! },
        { "config/systemd/able-attribution.service", "attribution/Able.Attribution.Service", typeof(Able.Attribution.Service.AttributionApp).Assembly.GetName().Name! },
    };

    [Theory]
    [MemberData(nameof(Units))]
    public void Each_unit_restarts_runs_as_able_and_is_hardened(string unit, string project, string assembly)
    {
        var settings = Parse(unit);
        Assert.Equal("notify", Single(settings, "Service", "Type"));
        Assert.Equal("always", Single(settings, "Service", "Restart"));
        Assert.Equal("2", Single(settings, "Service", "RestartPreventExitStatus"));
        Assert.Equal("0", Single(settings, "Unit", "StartLimitIntervalSec"));
        Assert.Equal("able", Single(settings, "Service", "User"));
        Assert.Equal("able", Single(settings, "Service", "Group"));
        foreach (var (key, value) in new[]
        {
            ("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("ProtectHome", "yes"), ("PrivateTmp", "yes"),
            ("PrivateDevices", "yes"), ("ProtectKernelTunables", "yes"), ("ProtectKernelModules", "yes"),
            ("ProtectControlGroups", "yes"), ("RestrictNamespaces", "yes"), ("RestrictSUIDSGID", "yes"),
            ("LockPersonality", "yes"), ("SystemCallArchitectures", "native"), ("UMask", "0077"),
        })
        {
            Assert.Equal(value, Single(settings, "Service", key));
        }

        // The JIT writes code it then runs: MemoryDenyWriteExecute would kill the process at start.
        Assert.DoesNotContain(settings, s => s.Key == "MemoryDenyWriteExecute");
        Assert.Equal($"/opt/able/{ServiceFolder(unit)}/{assembly}", Single(settings, "Service", "ExecStart"));
        Assert.Contains(settings, s => s is { Section: "Service", Key: "Environment", Value: "ABLE_CONFIG=/etc/able/able.json" });
        Assert.Contains(settings, s => s is { Section: "Service", Key: "EnvironmentFile", Value: "-/etc/able/able.env" });
        Assert.Equal("multi-user.target", Single(settings, "Install", "WantedBy"));

        var text = File.ReadAllText(Full(unit));
        Assert.Contains($"dotnet publish {project} -c Release -o /opt/able/{ServiceFolder(unit)}", text, StringComparison.Ordinal);
        Assert.True(Directory.Exists(Full(project)), $"{unit} publishes {project}, which does not exist");
    }

    [Fact]
    public void The_hosts_tell_systemd_when_they_are_ready()
    {
        Assert.Contains(typeof(Able.Hosting.AbleHost).Assembly.GetReferencedAssemblies(), a => a.Name == "Microsoft.Extensions.Hosting.Systemd");
    }

    [CommandFact("systemd-analyze")]
    public async Task Systemd_analyze_verifies_both_units_without_a_warning_and_rates_them_OK()
    {
        var folder = Directory.CreateTempSubdirectory("able-systemd-");
        try
        {
            foreach (var unit in Units().Select(row => (string)row[0]))
            {
                // ExecStart must name an executable that exists here: a stand-in under the same name.
                var executable = Path.Combine(folder.FullName, Path.GetFileName(Single(Parse(unit), "Service", "ExecStart")));
                File.Copy("/bin/true", executable, overwrite: true);
                var copy = Path.Combine(folder.FullName, Path.GetFileName(unit));
                await File.WriteAllTextAsync(copy, ExecStartLine().Replace(await File.ReadAllTextAsync(Full(unit)), $"ExecStart={executable}"));

                var (verifyExit, verifyOutput) = await RunAsync("systemd-analyze", "verify", copy);
                Assert.True(verifyExit == 0 && verifyOutput.Length == 0, $"systemd-analyze verify {unit} ({verifyExit}):\n{verifyOutput}");

                var (_, security) = await RunAsync("systemd-analyze", "security", "--offline=yes", "--no-pager", copy);
                var exposure = ExposureLine().Match(security);
                Assert.True(exposure.Success, $"no exposure level in:\n{security}");
                var level = double.Parse(exposure.Groups[1].Value, CultureInfo.InvariantCulture);
                Assert.True(level <= 2.5, $"{unit}: exposure {level} (more than 2.5)\n{security}");
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static string ServiceFolder(string unit) => Path.GetFileNameWithoutExtension(unit)["able-".Length..];

    private static string Full(string relative) => Path.Combine(RepositoryRoot.Path, relative);

    private static string Single(List<(string Section, string Key, string Value)> settings, string section, string key) =>
        Assert.Single(settings, s => s.Section == section && s.Key == key).Value;

    /// <summary>Every Key=Value line with its [Section], comments and blank lines skipped.</summary>
    private static List<(string Section, string Key, string Value)> Parse(string unit)
    {
        var settings = new List<(string, string, string)>();
        var section = "";
        foreach (var raw in File.ReadAllLines(Full(unit)))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[')
            {
                section = line.Trim('[', ']');
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            Assert.True(equals > 0, $"{unit}: not a Key=Value line: {line}");
            settings.Add((section, line[..equals], line[(equals + 1)..]));
        }

        return settings;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string command, params string[] arguments)
    {
        var result = await CommandRun.RunAsync(command, arguments);
        return (result.ExitCode, arguments[0] == "verify" ? result.StandardError.Trim() : result.Output);
    }

    [GeneratedRegex(@"^ExecStart=.*$", RegexOptions.Multiline)]
    private static partial Regex ExecStartLine();

    [GeneratedRegex(@"Overall exposure level for \S+: (\d+(?:\.\d+)?)")]
    private static partial Regex ExposureLine();
}
