using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Able.Tests.Deployment;

/// <summary>
/// No Docker engine runs here, so the compose file is checked rather than run: every build context,
/// Dockerfile, port, mount and configuration override it names must exist and agree with config/able.json.
/// </summary>
public sealed class DockerComposeTests
{
    private static readonly string Root = RepositoryRoot.Path;
    private static readonly YamlMappingNode Compose = Load("docker-compose.yml");
    private static readonly JsonNode AbleConfig = JsonNode.Parse(File.ReadAllText(Path.Combine(Root, "config", "able.json")))!;

    private static YamlMappingNode Services => (YamlMappingNode)Compose["services"];

    private static YamlMappingNode Load(string relativePath)
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(Path.Combine(Root, relativePath));
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    private static YamlMappingNode Service(string name) => (YamlMappingNode)Services[name];

    private static Dictionary<string, string> Environment(string service) =>
        Service(service).Children.TryGetValue("environment", out var env)
            ? ((YamlMappingNode)env).Children.ToDictionary(p => p.Key.ToString(), p => p.Value.ToString())
            : [];

    /// <summary>A setting as the container sees it: the compose environment if it sets one, else config/able.json.</summary>
    private static string Effective(string service, string key)
    {
        var variable = key.Replace(":", "__", StringComparison.Ordinal);
        if (Environment(service).TryGetValue(variable, out var fromEnvironment))
        {
            return fromEnvironment;
        }

        JsonNode? node = AbleConfig;
        foreach (var part in key.Split(':'))
        {
            node = node is JsonArray array ? array[int.Parse(part, System.Globalization.CultureInfo.InvariantCulture)] : node?[part];
        }

        return node?.GetValue<string>() ?? throw new InvalidOperationException($"{key} is not in config/able.json");
    }

    private static IEnumerable<int> ContainerPorts(string service) =>
        ((YamlSequenceNode)Service(service)["ports"]).Children
            .Select(p => int.Parse(p.ToString().Split(':')[^1], System.Globalization.CultureInfo.InvariantCulture));

    public static TheoryData<string> BuiltServices => new() { "gateway", "attribution", "demo-site" };

    [Fact]
    public void It_has_every_service_of_the_system()
    {
        var names = Services.Children.Keys.Select(k => k.ToString()).ToHashSet();
        Assert.Superset(new HashSet<string> { "redis", "gateway", "attribution", "demo-site", "prometheus", "grafana" }, names);
    }

    [Fact]
    public void Redis_keeps_an_append_only_file_on_a_volume_and_may_evict_only_expiring_keys()
    {
        var redis = Service("redis");
        var command = string.Join(' ', ((YamlSequenceNode)redis["command"]).Children.Select(c => c.ToString()));
        Assert.Contains("--appendonly yes", command, StringComparison.Ordinal);
        // Under memory pressure Redis may shed expiring capture keys, never the stream or schedule (no TTL); not
        // volatile-ttl, which would shed delivery jobs (TTL about 2 days) before 90-day captures.
        Assert.Contains("--maxmemory-policy volatile-lru", command, StringComparison.Ordinal);
        var volume = ((YamlSequenceNode)redis["volumes"]).Children.Single().ToString().Split(':')[0];
        Assert.True(((YamlMappingNode)Compose["volumes"]).Children.ContainsKey(volume), $"volume {volume} is not declared");
    }

    [Theory]
    [MemberData(nameof(BuiltServices))]
    public void Each_build_names_an_existing_context_and_a_multi_stage_non_root_Dockerfile(string service)
    {
        var build = (YamlMappingNode)Service(service)["build"];
        var context = Path.GetFullPath(Path.Combine(Root, build["context"].ToString()));
        Assert.True(Directory.Exists(context), $"{service}: build context {context} does not exist");
        var dockerfile = Path.Combine(context, build["dockerfile"].ToString());
        Assert.True(File.Exists(dockerfile), $"{service}: {dockerfile} does not exist");

        var lines = File.ReadAllLines(dockerfile);
        var stages = lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();
        Assert.True(stages.Count >= 2, $"{service}: the Dockerfile should build in one stage and run in another");
        Assert.Contains("dotnet/sdk", stages[0], StringComparison.Ordinal);
        Assert.Contains("dotnet/aspnet", stages[^1], StringComparison.Ordinal);
        var user = lines.LastOrDefault(l => l.StartsWith("USER ", StringComparison.Ordinal));
        Assert.NotNull(user);
        Assert.DoesNotContain("root", user, StringComparison.Ordinal);

        // Every COPY source the Dockerfile takes from the context must exist there.
        foreach (var copy in lines.Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from", StringComparison.Ordinal)))
        {
            var parts = copy.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (var source in parts[1..^1])
            {
                var path = Path.Combine(context, source);
                Assert.True(File.Exists(path) || Directory.Exists(path), $"{service}: {copy} names {source}, which is not in the context");
            }
        }
    }

    [Theory]
    [InlineData("gateway", "Gateway")]
    [InlineData("attribution", "Attribution")]
    public void Published_ports_and_the_dockerfile_match_the_service_urls(string service, string section)
    {
        var publicPort = new Uri(Effective(service, $"Able:{section}:PublicUrl")).Port;
        var managementPort = new Uri(Effective(service, $"Able:{section}:ManagementUrl")).Port;
        Assert.Contains(publicPort, ContainerPorts(service));
        Assert.Contains(managementPort, ContainerPorts(service));
        Assert.Equal("0.0.0.0", new Uri(Effective(service, $"Able:{section}:ManagementUrl")).Host);

        var build = (YamlMappingNode)Service(service)["build"];
        var dockerfile = File.ReadAllText(Path.Combine(Root, build["context"].ToString(), build["dockerfile"].ToString()));
        Assert.Contains($"EXPOSE {publicPort} {managementPort}", dockerfile, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gateway")]
    [InlineData("attribution")]
    public void Config_is_mounted_where_ABLE_CONFIG_points_and_every_override_names_a_real_setting(string service)
    {
        var mounts = ((YamlSequenceNode)Service(service)["volumes"]).Children.Select(v => v.ToString().Split(':')).ToList();
        var configFile = Environment(service)["ABLE_CONFIG"];
        var mount = Assert.Single(mounts, m => configFile.StartsWith(m[1] + "/", StringComparison.Ordinal));
        var hostFile = Path.Combine(Root, mount[0], configFile[(mount[1].Length + 1)..]);
        Assert.True(File.Exists(hostFile), $"{service}: ABLE_CONFIG={configFile} maps to {hostFile}, which does not exist");

        foreach (var variable in Environment(service).Keys.Where(k => k.StartsWith("Able__", StringComparison.Ordinal)))
        {
            var key = variable.Replace("__", ":", StringComparison.Ordinal);
            JsonNode? node = AbleConfig;
            var parts = key.Split(':');
            for (var i = 0; i < parts.Length && node is not null; i++)
            {
                if (node is JsonArray array)
                {
                    var index = int.Parse(parts[i], System.Globalization.CultureInfo.InvariantCulture);
                    // An element past the end of a list (such as TrustedProxies) adds to it: the list itself is the setting.
                    node = index < array.Count ? array[index] : i == parts.Length - 1 ? array : null;
                }
                else
                {
                    node = node[parts[i]];
                }
            }

            Assert.True(node is not null, $"{service}: {variable} overrides {key}, which config/able.json does not have (typo?)");
        }
    }

    [Fact]
    public void The_gateway_reaches_the_attribution_service_and_the_demo_origin_by_their_compose_names()
    {
        var attribution = new Uri(Effective("gateway", "Able:Gateway:AttributionUrl"));
        Assert.Equal("attribution", attribution.Host);
        Assert.Equal(new Uri(Effective("attribution", "Able:Attribution:PublicUrl")).Port, attribution.Port);

        var origin = new Uri(Effective("gateway", "Able:Funnels:0:Origin"));
        Assert.True(Services.Children.ContainsKey(origin.Host), $"origin host {origin.Host} is not a compose service");
        var demo = Service(origin.Host);
        var demoPorts = ((YamlSequenceNode)demo["expose"]).Children.Select(p => int.Parse(p.ToString(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains(origin.Port, demoPorts);
    }

    [Fact]
    public void Prometheus_scrapes_both_management_ports_and_grafana_has_its_provisioning()
    {
        var prometheus = Load("config/prometheus/prometheus.yml");
        var targets = ((YamlSequenceNode)prometheus["scrape_configs"]).Children
            .SelectMany(job => ((YamlSequenceNode)((YamlMappingNode)((YamlSequenceNode)job["static_configs"]).Children[0])["targets"]).Children)
            .Select(t => t.ToString())
            .ToHashSet();
        Assert.Contains($"gateway:{new Uri(Effective("gateway", "Able:Gateway:ManagementUrl")).Port}", targets);
        Assert.Contains($"attribution:{new Uri(Effective("attribution", "Able:Attribution:ManagementUrl")).Port}", targets);

        foreach (var service in new[] { "prometheus", "grafana" })
        {
            foreach (var mount in ((YamlSequenceNode)Service(service)["volumes"]).Children.Select(v => v.ToString().Split(':')[0]))
            {
                var path = Path.Combine(Root, mount);
                Assert.True(File.Exists(path) || Directory.Exists(path), $"{service}: mount source {mount} does not exist");
            }
        }

        var dashboard = JsonNode.Parse(File.ReadAllText(Path.Combine(Root, "config/grafana/dashboards/able-overview.json")))!;
        Assert.NotEmpty(dashboard["panels"]!.AsArray());
    }

    [Fact]
    public void The_gateway_publishes_80_and_443_with_TLS_on_and_mounts_the_certificate_and_webroot_volumes_where_the_config_points()
    {
        Assert.Equal(80, new Uri(Effective("gateway", "Able:Gateway:PublicUrl")).Port);
        Assert.Equal("true", Effective("gateway", "Able:Gateway:Tls:Enabled"));
        Assert.Equal(443, new Uri(Effective("gateway", "Able:Gateway:Tls:Url")).Port);
        Assert.Contains(443, ContainerPorts("gateway"));
        Assert.Contains(80, ContainerPorts("gateway"));

        var mounts = ((YamlSequenceNode)Service("gateway")["volumes"]).Children.Select(v => v.ToString().Split(':')).ToList();
        foreach (var key in new[] { "Able:Gateway:Tls:CertificateDirectory", "Able:Gateway:Tls:AcmeWebroot" })
        {
            var mount = Assert.Single(mounts, m => m[1] == Effective("gateway", key));
            Assert.True(((YamlMappingNode)Load("docker-compose.yml")["volumes"]).Children.ContainsKey(mount[0]), $"{key}: {mount[0]} is not a named volume");
            // The certbot service writes the same volume at the same path.
            Assert.Contains(((YamlSequenceNode)Service("certbot")["volumes"]).Children, v => v.ToString() == $"{mount[0]}:{mount[1]}");
        }

        // Non-root in the image, so binding 80/443 needs the unprivileged port range opened.
        Assert.Equal("0", ((YamlMappingNode)Service("gateway")["sysctls"])["net.ipv4.ip_unprivileged_port_start"].ToString());
    }
}
