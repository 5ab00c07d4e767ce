using System.Security.Cryptography;
using Able.Attribution.Conversions;
using Able.Hosting;
using Able.Hosting.Configuration;
using Able.Schema.Configuration;
using Microsoft.Extensions.Options;
using Prometheus;

namespace Able.Attribution.Service.Commands;

/// <summary>
/// What a destination's <c>check</c> command (<c>./able tiktok check</c>, <c>./able ga4 check</c>) works with: the
/// configuration the attribution service reads, the funnel named by <c>--funnel</c> (at <see cref="Index"/> in
/// <c>Able:Funnels</c>) and the values of the command's own options.
/// </summary>
internal sealed record FunnelCheck(AbleOptions Options, string SecretsPath, int Index, FunnelOptions Funnel, IReadOnlyDictionary<string, string> Values)
{
    /// <summary>An argument not understood or missing, or an unknown funnel (EX_USAGE).</summary>
    public const int UsageExitCode = 64;

    private static readonly string[] CommonOptions = ["--funnel", "--config", "--secrets"];

    /// <summary>The value of one of the command's own options, null when not given.</summary>
    public string? Value(string option) => Values.GetValueOrDefault(option);

    /// <summary>The configuration read, for a client built as the worker builds it.</summary>
    public IOptionsMonitor<AbleOptions> FixedOptions => new FixedOptionsMonitor<AbleOptions>(Options);

    /// <summary>Metrics of a client built for one check: kept apart, never exported.</summary>
    public static IMetricFactory UnexportedMetrics() => Metrics.WithCustomRegistry(Metrics.NewCustomRegistry());

    /// <summary>
    /// A clearly-test conversion of the funnel: event id (and receipt id) <c>able-check:&lt;random hex&gt;</c>, a new one each
    /// check, the time now, no contact data; <paramref name="random"/> is that random part.
    /// </summary>
    public Conversion SampleConversion(string sourceEvent, string tikTokEvent, DateTimeOffset now, out string random)
    {
        random = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var eventId = $"able-check:{random}";
        return new Conversion
        {
            Mark = Funnel.Mark,
            Source = "able-check",
            SourceEvent = sourceEvent,
            Decision = ConversionDecision.Send,
            ReceiptId = eventId,
            TikTokEvent = tikTokEvent,
            EventId = eventId,
            EventTime = now,
            ContentName = "Able connection check",
        };
    }

    /// <summary>
    /// Reads <c>check --funnel MARK [--config FILE] [--secrets FILE]</c> plus <paramref name="ownOptions"/> (each with a
    /// value, as <c>--name value</c> or <c>--name=value</c>) of the command <paramref name="command"/>, then the
    /// configuration, then the funnel. Returns the check, or null and the exit code after saying what is wrong
    /// (<c>--help</c>: the usage on <paramref name="output"/> and 0).
    /// </summary>
    public static async Task<(FunnelCheck? Check, int ExitCode)> ReadAsync(
        string command, string[] args, string usage, string funnelPurpose, string[] ownOptions, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (args is ["--help" or "-h" or "help"])
        {
            await output.WriteLineAsync(usage);
            return (null, 0);
        }

        if (args is not ["check", .. var checkArgs])
        {
            return (null, await UsageErrorAsync(error, usage, args.Length == 0 ? $"a {command} command is required" : $"unknown {command} command '{args[0]}'"));
        }

        if (!TryParse(checkArgs, [.. CommonOptions, .. ownOptions], out var values, out var problem))
        {
            return (null, await UsageErrorAsync(error, usage, problem));
        }

        if (!values.TryGetValue("--funnel", out var mark))
        {
            return (null, await UsageErrorAsync(error, usage, $"--funnel MARK is required: {funnelPurpose}."));
        }

        string[] sources = [.. values.Where(v => v.Key is "--config" or "--secrets").SelectMany(v => new[] { v.Key, v.Value })];
        if (await CommandConfiguration.ReadAsync(sources, error) is not var (options, secretsPath))
        {
            return (null, AbleHost.ConfigurationErrorExitCode);
        }

        var index = Array.FindIndex(options.Funnels, f => string.Equals(f.Mark, mark, StringComparison.OrdinalIgnoreCase));
        if (index < 0)
        {
            var known = options.Funnels.Length == 0 ? "none" : string.Join(", ", options.Funnels.Select(f => f.Mark));
            await error.WriteLineAsync($"No funnel '{mark}' is configured (funnels: {known}).");
            return (null, UsageExitCode);
        }

        return (new FunnelCheck(options, secretsPath, index, options.Funnels[index], values), 0);
    }

    private static async Task<int> UsageErrorAsync(TextWriter error, string usage, string problem)
    {
        await error.WriteLineAsync(problem);
        await error.WriteLineAsync(usage);
        return UsageExitCode;
    }

    private static bool TryParse(string[] args, string[] allowed, out Dictionary<string, string> values, out string problem)
    {
        values = new Dictionary<string, string>(StringComparer.Ordinal);
        problem = "";
        for (var i = 0; i < args.Length; i++)
        {
            var (name, value) = args[i].Split('=', 2) is [var n, var v] && n.StartsWith("--", StringComparison.Ordinal) ? (n, v) : (args[i], null);
            if (!allowed.Contains(name, StringComparer.Ordinal))
            {
                problem = $"unknown argument '{args[i]}'";
                return false;
            }

            if (value is null)
            {
                if (i + 1 >= args.Length)
                {
                    problem = $"{name} needs a value";
                    return false;
                }

                value = args[++i];
            }

            values[name] = value;
        }

        return true;
    }
}
