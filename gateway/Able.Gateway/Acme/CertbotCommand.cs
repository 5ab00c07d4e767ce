using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Able.Hosting;
using Able.Hosting.Configuration;
using Able.Schema.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Able.Gateway.Acme;

/// <summary>How <see cref="CertbotCommand"/> runs certbot; tests point it at their own CA and folders.</summary>
internal sealed record CertbotRunSettings
{
    public string Executable { get; init; } = "certbot";

    /// <summary>Added to certbot's environment (e.g. <c>REQUESTS_CA_BUNDLE</c> for a test CA).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>certbot's work and logs folders; null: <see cref="CertbotDirectories.ForCurrentUser"/>.</summary>
    public CertbotDirectories? Directories { get; init; }
}

/// <summary>What happened to one funnel's certificate.</summary>
internal enum CertbotOutcome
{
    /// <summary>No host of the funnel can have a public certificate; certbot was not run.</summary>
    Skipped,

    /// <summary><c>--dry-run</c>: the command line was printed, not run.</summary>
    Printed,

    /// <summary>certbot issued a certificate where there was none.</summary>
    Obtained,

    /// <summary>certbot replaced the certificate (due for renewal, or the host set changed).</summary>
    Renewed,

    /// <summary>certbot kept the certificate it had (not due for renewal).</summary>
    Kept,

    /// <summary>certbot ran with its own <c>--dry-run</c> (a test against the CA's staging): nothing saved.</summary>
    Tested,

    /// <summary>certbot failed; the result carries its reason.</summary>
    Failed,
}

/// <summary>One funnel's result.</summary>
internal sealed record CertbotResult(FunnelCertificate Certificate, CertbotOutcome Outcome, string? Detail);

/// <summary>
/// <c>./able certs [--config FILE] [--dry-run] [certbot arguments]</c>: obtains or renews one certificate per funnel with
/// certbot's webroot authenticator into <c>Able:Gateway:Tls:CertificateDirectory</c> (certbot's <c>--config-dir</c>), where the
/// gateway picks it up without a restart. The gateway serves the webroot's challenges on its plain-HTTP listener.
/// </summary>
internal static class CertbotCommand
{
    public const string Usage = "usage: ./able certs [--config FILE] [--dry-run] [certbot arguments ...] [-- certbot arguments ...]";

    /// <summary>Exit code when an argument is not understood.</summary>
    public const int UsageExitCode = 64;

    /// <summary>Exit code when at least one funnel's certificate failed.</summary>
    public const int FailedExitCode = 1;

    /// <summary>Exit code when certbot cannot be started at all.</summary>
    public const int CertbotMissingExitCode = 127;

    public static async Task<int> RunAsync(
        string[] args, TextWriter output, TextWriter error, CertbotRunSettings? settings = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        settings ??= new CertbotRunSettings();

        if (!TryParseArguments(args, out var configFile, out var dryRun, out var extra, out var problem))
        {
            await error.WriteLineAsync(problem);
            await error.WriteLineAsync(Usage);
            return UsageExitCode;
        }

        AbleOptions options;
        try
        {
            options = ReadOptions(configFile);
        }
        catch (Exception failure) when (failure is OptionsValidationException or FileNotFoundException or InvalidDataException or FormatException)
        {
            await error.WriteLineAsync(AbleHost.DescribeConfigurationError(failure));
            return AbleHost.ConfigurationErrorExitCode;
        }

        var tls = options.Gateway.Tls;
        if (!tls.Enabled)
        {
            await output.WriteLineAsync(
                "Note: Able:Gateway:Tls:Enabled is false, so the gateway neither serves the ACME webroot nor uses the certificates; enable it first.");
        }

        var plans = CertbotPlan.Build(options, settings.Directories ?? CertbotDirectories.ForCurrentUser(), extra);
        if (plans.Count == 0)
        {
            await output.WriteLineAsync("No funnels are configured: nothing to certify.");
            return 0;
        }

        if (!dryRun)
        {
            Directory.CreateDirectory(Path.GetFullPath(tls.AcmeWebroot));
            Directory.CreateDirectory(Path.GetFullPath(tls.CertificateDirectory));
        }

        var failed = 0;
        foreach (var plan in plans)
        {
            var result = await CertifyAsync(plan, tls, settings, dryRun, extra, output, cancellationToken);
            await Report(output, result, tls);
            if (result.Outcome == CertbotOutcome.Failed)
            {
                failed++;
                if (result.Detail?.StartsWith("cannot start", StringComparison.Ordinal) == true)
                {
                    return CertbotMissingExitCode;
                }
            }
        }

        return failed == 0 ? 0 : FailedExitCode;
    }

    /// <summary>Splits our options from certbot's; everything after <c>--</c> is certbot's, verbatim.</summary>
    internal static bool TryParseArguments(
        string[] args, out string? configFile, out bool dryRun, out List<string> certbotArguments, out string? problem)
    {
        configFile = null;
        dryRun = false;
        certbotArguments = [];
        problem = null;
        for (var i = 0; i < args.Length; i++)
        {
            var argument = args[i];
            if (argument == "--")
            {
                certbotArguments.AddRange(args[(i + 1)..]);
                break;
            }

            if (argument == "--dry-run")
            {
                dryRun = true;
            }
            else if (argument == "--config")
            {
                if (i + 1 >= args.Length)
                {
                    problem = "--config needs a file";
                    return false;
                }

                configFile = args[++i];
            }
            else if (argument.StartsWith("--config=", StringComparison.Ordinal))
            {
                configFile = argument["--config=".Length..];
            }
            else
            {
                certbotArguments.Add(argument);
            }
        }

        return true;
    }

    /// <summary>The configuration the gateway reads (file, then environment), validated as the gateway validates it.</summary>
    private static AbleOptions ReadOptions(string? configFile)
    {
        using var configuration = new ConfigurationManager();
        configuration.UseAbleSources(configFile is null ? [] : ["--config", configFile]);
        return AbleHost.ReadValidated(configuration, GatewayApp.OptionsSections);
    }

    private static async Task<CertbotResult> CertifyAsync(
        FunnelCertificate plan, GatewayTlsOptions tls, CertbotRunSettings settings, bool dryRun, List<string> extra,
        TextWriter output, CancellationToken cancellationToken)
    {
        if (plan.Arguments is null)
        {
            return new CertbotResult(plan, CertbotOutcome.Skipped, "no host of this funnel can have a public certificate");
        }

        if (dryRun)
        {
            return new CertbotResult(plan, CertbotOutcome.Printed, CommandLine(settings.Executable, plan.Arguments));
        }

        await output.WriteLineAsync($"funnel {plan.Mark}: running certbot for {string.Join(", ", plan.Hosts)}");
        var fullchain = FullchainPath(tls, plan.Mark);
        var before = ReadOrNull(fullchain);
        var start = new ProcessStartInfo(settings.Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in plan.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in settings.Environment)
        {
            start.Environment[name] = value;
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception("Process.Start returned no process");
        }
        catch (Win32Exception failure)
        {
            return new CertbotResult(plan, CertbotOutcome.Failed,
                $"cannot start {settings.Executable} ({failure.Message}); install it with: sudo apt-get install -y certbot");
        }

        using (process)
        {
            var standardOutput = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var standardError = process.StandardError.ReadToEndAsync(cancellationToken);
            try
            {
                await process.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            var stdout = await standardOutput;
            var stderr = await standardError;
            if (process.ExitCode != 0)
            {
                return new CertbotResult(plan, CertbotOutcome.Failed, CertbotOutput.FailureReason(stdout, stderr, process.ExitCode));
            }
        }

        if (extra.Contains("--dry-run", StringComparer.Ordinal))
        {
            return new CertbotResult(plan, CertbotOutcome.Tested, "certbot's own --dry-run: the CA accepted the challenges, nothing was saved");
        }

        var after = ReadOrNull(fullchain);
        if (after is null)
        {
            return new CertbotResult(plan, CertbotOutcome.Failed, $"certbot succeeded but {fullchain} is missing");
        }

        var outcome = before is null ? CertbotOutcome.Obtained
            : before.AsSpan().SequenceEqual(after) ? CertbotOutcome.Kept
            : CertbotOutcome.Renewed;
        return new CertbotResult(plan, outcome, Describe(after, fullchain));
    }

    internal static string FullchainPath(GatewayTlsOptions tls, string mark) =>
        Path.Combine(Path.GetFullPath(tls.CertificateDirectory), "live", mark, "fullchain.pem");

    private static byte[]? ReadOrNull(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllBytes(path) : null;
        }
        catch (Exception failure) when (failure is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>"valid until …" of the first certificate in a PEM file, and where it is; never throws.</summary>
    private static string Describe(byte[] pem, string path)
    {
        try
        {
            using var certificate = X509Certificate2.CreateFromPem(System.Text.Encoding.ASCII.GetString(pem));
            var until = certificate.NotAfter.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
            return $"{path}, valid until {until}";
        }
        catch (CryptographicException)
        {
            return path;
        }
    }

    private static async Task Report(TextWriter output, CertbotResult result, GatewayTlsOptions tls)
    {
        var plan = result.Certificate;
        foreach (var skipped in plan.Skipped)
        {
            await output.WriteLineAsync($"funnel {plan.Mark}: skipped host {skipped.Host}: {skipped.Reason}");
        }

        var hosts = string.Join(", ", plan.Hosts);
        var line = result.Outcome switch
        {
            CertbotOutcome.Skipped => $"funnel {plan.Mark}: skipped: {result.Detail}",
            CertbotOutcome.Printed => $"funnel {plan.Mark}: would run: {result.Detail}",
            CertbotOutcome.Obtained => $"funnel {plan.Mark}: obtained a certificate for {hosts} ({result.Detail})",
            CertbotOutcome.Renewed => $"funnel {plan.Mark}: renewed the certificate for {hosts} ({result.Detail})",
            CertbotOutcome.Kept => $"funnel {plan.Mark}: kept the certificate for {hosts}, not yet due for renewal ({result.Detail})",
            CertbotOutcome.Tested => $"funnel {plan.Mark}: tested {hosts}: {result.Detail}",
            _ => $"funnel {plan.Mark}: FAILED for {hosts}: {result.Detail} (certbot's log: {LogsHint(tls)})",
        };
        await output.WriteLineAsync(line);
    }

    private static string LogsHint(GatewayTlsOptions tls) =>
        "its --logs-dir, letsencrypt.log; the gateway must answer http://<host>/.well-known/acme-challenge/ from " + Path.GetFullPath(tls.AcmeWebroot);

    /// <summary>A command line a shell would run as is: arguments with anything unusual in single quotes.</summary>
    internal static string CommandLine(string executable, IEnumerable<string> arguments) =>
        string.Join(' ', new[] { executable }.Concat(arguments).Select(Quote));

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=@,+%".Contains(c, StringComparison.Ordinal))
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
