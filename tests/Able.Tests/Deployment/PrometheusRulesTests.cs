using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Able.Tests.Deployment;

/// <summary>
/// The alerting rules (config/prometheus/alerts.yml) and the Grafana dashboard: promtool accepts the rules and the
/// Prometheus configuration that loads them, the rules' unit tests (alerts.test.yml) pass, every rule says how urgent it
/// is and what to do, and every metric an expression names is one the code defines, so a typo or a renamed metric
/// cannot leave an alert that never fires or an empty panel.
/// </summary>
public sealed partial class PrometheusRulesTests
{
    private const string Rules = "config/prometheus/alerts.yml";
    /// <summary>The rules' unit tests: over minutes (evaluated every minute) and over days (every 15 minutes, to stay fast).</summary>
    private static readonly string[] RuleTests = ["config/prometheus/alerts.test.yml", "config/prometheus/alerts.days.test.yml"];
    private const string PrometheusConfig = "config/prometheus/prometheus.yml";
    private const string Dashboard = "config/grafana/dashboards/able-overview.json";

    /// <summary>Metrics not defined by our code that expressions may use: Prometheus's own scrape health.</summary>
    private static readonly HashSet<string> ForeignMetrics = new(StringComparer.Ordinal) { "up" };

    /// <summary>Where the services define their metrics (string literals passed to the metric factory).</summary>
    private static readonly string[] SourceFolders = ["gateway", "attribution", "common"];

    private static readonly string[] HistogramSuffixes = ["_bucket", "_sum", "_count"];

    /// <summary>Words of PromQL that look like metric names: keywords and the label lists' introducers.</summary>
    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool", "inf", "nan",
    };

    private static readonly Lazy<string> Sources = new(() => string.Join(
        '\n',
        SourceFolders
            .SelectMany(folder => Directory.EnumerateFiles(Full(folder), "*.cs", SearchOption.AllDirectories))
            .Where(file => !file.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Select(File.ReadAllText)));

    [CommandFact("promtool")]
    public async Task Promtool_accepts_the_rules()
    {
        var (exitCode, output) = await PromtoolAsync("check", "rules", Rules);
        Assert.True(exitCode == 0, $"promtool check rules {Rules} ({exitCode}):\n{output}");
    }

    [CommandFact("promtool")]
    public async Task Promtool_accepts_the_configuration_and_finds_the_rule_files_it_names()
    {
        var (exitCode, output) = await PromtoolAsync("check", "config", PrometheusConfig);
        Assert.True(exitCode == 0, $"promtool check config {PrometheusConfig} ({exitCode}):\n{output}");
        Assert.Contains("alerts.yml", output, StringComparison.Ordinal);
    }

    [CommandFact("promtool")]
    public async Task The_rules_unit_tests_pass()
    {
        var (exitCode, output) = await PromtoolAsync(["test", "rules", .. RuleTests]);
        Assert.True(exitCode == 0, $"promtool test rules {string.Join(' ', RuleTests)} ({exitCode}):\n{output}");
    }

    [Fact]
    public void Every_rule_is_a_uniquely_named_alert_with_a_severity_a_summary_and_a_description()
    {
        var rules = AlertRules().ToList();
        Assert.NotEmpty(rules);
        foreach (var rule in rules)
        {
            var name = Text(rule, "alert");
            Assert.False(string.IsNullOrWhiteSpace(name), $"a rule without an alert name (recording rules belong elsewhere): {Text(rule, "expr")}");
            Assert.False(string.IsNullOrWhiteSpace(Text(rule, "expr")), $"{name}: no expr");
            var severity = Child(rule, "labels") is YamlMappingNode labels ? Text(labels, "severity") : null;
            Assert.True(severity is "page" or "ticket", $"{name}: severity is {severity ?? "missing"}, not page or ticket");
            var annotations = Child(rule, "annotations") as YamlMappingNode;
            Assert.True(annotations is not null, $"{name}: no annotations");
            Assert.False(string.IsNullOrWhiteSpace(Text(annotations, "summary")), $"{name}: no summary");
            Assert.True(Text(annotations, "description")?.Length > 80, $"{name}: the description should say what it means and what to do");
        }

        var duplicates = rules.GroupBy(r => Text(r, "alert"), StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key);
        Assert.Empty(duplicates);
    }

    [Fact]
    public void Every_metric_the_alerts_and_the_dashboard_use_is_defined_in_the_code()
    {
        var expressions = AlertRules().Select(rule => ($"{Rules}: {Text(rule, "alert")}", Text(rule, "expr") ?? ""))
            .Concat(DashboardExpressions())
            .ToList();
        Assert.Contains(expressions, e => e.Item1.StartsWith(Dashboard, StringComparison.Ordinal));

        var problems = Undefined(expressions, Sources.Value);
        Assert.True(problems.Count == 0, "Metrics no code defines (a typo, or a metric renamed or removed):\n" + string.Join('\n', problems));
    }

    [Theory]
    [InlineData("able_tiktok_events_total")]
    [InlineData("able_tiktok_request_seconds_bucket")]
    [InlineData("able_ga4_events_total")]
    [InlineData("able_ga4_request_seconds_bucket")]
    public void The_dashboard_shows_each_destinations_outcomes_and_request_duration(string metric)
    {
        Assert.Contains(DashboardExpressions(), e => MetricNames(e.Expression).Contains(metric));
    }

    [Fact]
    public void The_dashboards_panels_have_unique_ids_and_do_not_overlap()
    {
        var panels = JsonNode.Parse(File.ReadAllText(Full(Dashboard)))!["panels"]!.AsArray()
            .Select(p => (Id: (int)p!["id"]!, Title: (string?)p["title"], X: (int)p["gridPos"]!["x"]!, Y: (int)p["gridPos"]!["y"]!, W: (int)p["gridPos"]!["w"]!, H: (int)p["gridPos"]!["h"]!))
            .ToList();
        Assert.Equal(panels.Count, panels.Select(p => p.Id).Distinct().Count());
        var overlapping = panels.SelectMany((a, i) => panels.Skip(i + 1)
                .Where(b => a.X < b.X + b.W && b.X < a.X + a.W && a.Y < b.Y + b.H && b.Y < a.Y + a.H)
                .Select(b => $"{a.Title} / {b.Title}"))
            .ToList();
        Assert.True(overlapping.Count == 0, "Panels drawn over each other: " + string.Join("; ", overlapping));
    }

    [Theory]
    [InlineData("max(able_dlq_depth)", "able_dlq_depth")]
    [InlineData("histogram_quantile(0.95, sum by (le) (rate(able_tiktok_request_seconds_bucket[5m])))", "able_tiktok_request_seconds_bucket")]
    [InlineData("(increase(able_ga4_events_total{outcome=\"dead_lettered\"}[1h]) > 0) or (able_ga4_events_total{outcome=\"dead_lettered\"} > 0 unless able_ga4_events_total{outcome=\"dead_lettered\"} offset 1h)", "able_ga4_events_total")]
    [InlineData("up{job=~\"able-gateway|able_x\"} == 0", "up")]
    [InlineData("sum by (job, instance) (increase(able_a_total{reason=~\"a|b\"}[10m] offset 1d)) > 1e3 unless on (job) able_b", "able_a_total able_b")]
    [InlineData("able_tls_certificate_expiry_seconds - time() < 14 * 86400", "able_tls_certificate_expiry_seconds")]
    [InlineData("rate(able_capture_total[$__rate_interval]) > bool 0", "able_capture_total")]
    public void The_extractor_finds_metric_names_and_nothing_else(string expression, string names)
    {
        Assert.Equal(names.Split(' '), MetricNames(expression));
    }

    [Fact]
    public void A_typo_in_a_metric_name_is_reported_and_histogram_series_count_as_their_histogram()
    {
        const string code = """
            metrics.CreateGauge("able_dlq_depth", "Entries in the dead-letter stream.");
            metrics.CreateHistogram("able_tiktok_request_seconds", "Duration.");
            """;
        Assert.Empty(Undefined([("ok", "max(able_dlq_depth) + rate(able_tiktok_request_seconds_count[5m])")], code));
        Assert.Equal(new[] { "typo: able_dlq_depht" }, Undefined([("typo", "max(able_dlq_depht)")], code));
        Assert.Equal(new[] { "foreign: node_load1" }, Undefined([("foreign", "node_load1 > 1")], code));
        Assert.Equal(new[] { "not a histogram: able_dlq_depth_count" }, Undefined([("not a histogram", "able_dlq_depth_count")], code));
    }

    /// <summary>
    /// "where: name" for every metric an expression uses that <paramref name="code"/> has no string literal for (a
    /// histogram's _bucket, _sum and _count series need the histogram's name passed to CreateHistogram).
    /// </summary>
    private static List<string> Undefined(IEnumerable<(string Where, string Expression)> expressions, string code) =>
        expressions
            .SelectMany(e => MetricNames(e.Expression).Where(name => !Defined(name, code)).Select(name => $"{e.Where}: {name}"))
            .Distinct(StringComparer.Ordinal)
            .ToList();

    private static bool Defined(string name, string code)
    {
        if (ForeignMetrics.Contains(name))
        {
            return true;
        }

        if (!name.StartsWith("able_", StringComparison.Ordinal))
        {
            return false;
        }

        // A histogram's (or summary's) series are its name plus a suffix; only a metric created as one has them.
        bool Distribution(string metric) =>
            Regex.IsMatch(code, $@"Create(?:Histogram|Summary)\(\s*""{Regex.Escape(metric)}""", RegexOptions.None, TimeSpan.FromSeconds(5));
        return code.Contains($"\"{name}\"", StringComparison.Ordinal)
            || HistogramSuffixes.Any(suffix => name.EndsWith(suffix, StringComparison.Ordinal) && Distribution(name[..^suffix.Length]));
    }

    /// <summary>
    /// The metric names a PromQL expression selects, in order: identifiers left once strings, label matchers, ranges,
    /// label lists (by, without, on, ignoring, group_*), Grafana variables, function calls, keywords and numbers are taken out.
    /// </summary>
    private static List<string> MetricNames(string expression)
    {
        var text = StringLiteral().Replace(expression, " ");
        text = GrafanaVariable().Replace(text, " ");
        text = LabelMatchers().Replace(text, " ");
        text = Range().Replace(text, " ");
        text = LabelList().Replace(text, " ");
        return Identifier().Matches(text)
            .Where(m => !text[(m.Index + m.Length)..].TrimStart().StartsWith('('))
            .Select(m => m.Value)
            .Where(word => !Keywords.Contains(word))
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    private static IEnumerable<YamlMappingNode> AlertRules()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Full(Rules)))
        {
            yaml.Load(reader);
        }

        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        return ((YamlSequenceNode)root["groups"]).Children
            .Cast<YamlMappingNode>()
            .SelectMany(group => ((YamlSequenceNode)group["rules"]).Children.Cast<YamlMappingNode>());
    }

    /// <summary>Every "expr" of the dashboard (panels, rows' panels, targets, template variables' queries).</summary>
    private static List<(string Where, string Expression)> DashboardExpressions()
    {
        var dashboard = JsonNode.Parse(File.ReadAllText(Full(Dashboard)))!;
        var found = new List<(string Where, string Expression)>();

        void Walk(JsonNode? node, string title)
        {
            switch (node)
            {
                case JsonObject obj:
                    var here = obj["title"] is JsonValue t && t.TryGetValue<string>(out var name) ? name : title;
                    foreach (var (key, value) in obj)
                    {
                        if (key == "expr" && value is JsonValue v && v.TryGetValue<string>(out var expr))
                        {
                            found.Add(($"{Dashboard}: {here}", expr));
                        }
                        else
                        {
                            Walk(value, here);
                        }
                    }

                    break;
                case JsonArray array:
                    foreach (var item in array)
                    {
                        Walk(item, title);
                    }

                    break;
                default:
                    break;
            }
        }

        Walk(dashboard, "dashboard");
        return found;
    }

    private static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    private static string? Text(YamlMappingNode? node, string key) =>
        node is not null && Child(node, key) is YamlScalarNode scalar ? scalar.Value : null;

    private static string Full(string relative) => Path.Combine(RepositoryRoot.Path, relative);

    /// <summary>Runs promtool from the repository root (as CI and the README do), with stdout and stderr together.</summary>
    private static async Task<(int ExitCode, string Output)> PromtoolAsync(params string[] arguments)
    {
        var result = await CommandRun.RunAsync("promtool", arguments, RepositoryRoot.Path);
        return (result.ExitCode, result.Output);
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\$\{?\w+\}?")]
    private static partial Regex GrafanaVariable();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex LabelMatchers();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Range();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", RegexOptions.IgnoreCase)]
    private static partial Regex LabelList();

    [GeneratedRegex(@"(?<![\w.:])[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex Identifier();
}
