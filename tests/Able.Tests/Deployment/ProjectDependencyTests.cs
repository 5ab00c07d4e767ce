using System.Xml.Linq;

namespace Able.Tests.Deployment;

/// <summary>
/// Which project may depend on which: the gateway gets hosting, loop supervision and the shared schema, never the
/// attribution domain (Calendly, Stripe, TikTok, delivery, libphonenumber); the domain, the schema and supervision have
/// no ASP.NET dependency.
/// Read from the project files (what is built) and from the compiled assemblies (what is shipped).
/// </summary>
public sealed class ProjectDependencyTests
{
    private const string Schema = "common/Able.Schema/Able.Schema.csproj";
    private const string Hosting = "common/Able.Hosting/Able.Hosting.csproj";
    private const string Supervision = "common/Able.Supervision/Able.Supervision.csproj";
    private const string Domain = "attribution/Able.Attribution/Able.Attribution.csproj";
    private const string AttributionService = "attribution/Able.Attribution.Service/Able.Attribution.Service.csproj";
    private const string Gateway = "gateway/Able.Gateway/Able.Gateway.csproj";

    [Fact]
    public void The_gateway_builds_on_hosting_supervision_and_the_schema_only()
    {
        Assert.Equal([Hosting, Schema, Supervision], ProjectClosure(Gateway).Order(StringComparer.Ordinal));
        Assert.DoesNotContain("libphonenumber-csharp", PackagesOf(Gateway));
    }

    [Fact]
    public void The_gateway_assembly_references_no_attribution_code()
    {
        var referenced = typeof(Able.Gateway.GatewayApp).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.Contains("Able.Hosting", referenced);
        Assert.DoesNotContain(referenced, name => name!.StartsWith("Able.Attribution", StringComparison.Ordinal));
        Assert.DoesNotContain("PhoneNumbers", referenced);
    }

    [Theory]
    [InlineData(Schema)]
    [InlineData(Supervision)]
    [InlineData(Domain)]
    public void Domain_schema_and_supervision_do_not_depend_on_AspNetCore(string project)
    {
        foreach (var file in ProjectClosure(project).Append(project))
        {
            var document = XDocument.Load(Full(file));
            Assert.DoesNotContain(document.Descendants("FrameworkReference"), r => (string?)r.Attribute("Include") == "Microsoft.AspNetCore.App");
            Assert.Equal("Microsoft.NET.Sdk", (string?)document.Root!.Attribute("Sdk"));
            Assert.DoesNotContain(PackagesOf(file), package => package.Contains("AspNetCore", StringComparison.Ordinal));
        }

        var assembly = project switch
        {
            Schema => typeof(Able.Schema.Redis.RedisKeys).Assembly,
            Supervision => typeof(Able.Supervision.SupervisedLoop).Assembly,
            _ => typeof(Able.Attribution.Delivery.DeliveryStore).Assembly,
        };
        Assert.DoesNotContain(assembly.GetReferencedAssemblies(), a => a.Name!.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.DoesNotContain(assembly.GetReferencedAssemblies(), a => a.Name == "Able.Hosting");
    }

    [Fact]
    public void The_attribution_service_joins_the_domain_and_hosting()
    {
        Assert.Equal([Domain, Hosting, Schema, Supervision], ProjectClosure(AttributionService).Order(StringComparer.Ordinal));
    }

    /// <summary>A Dockerfile restores and builds from what it copied: it must copy every project its service builds on.</summary>
    [Theory]
    [InlineData(Gateway, "gateway/Able.Gateway/Dockerfile")]
    [InlineData(AttributionService, "attribution/Able.Attribution.Service/Dockerfile")]
    public void Each_Dockerfile_copies_every_project_its_service_builds_on(string project, string dockerfile)
    {
        var copies = File.ReadAllLines(Full(dockerfile)).Where(l => l.StartsWith("COPY ", StringComparison.Ordinal)).ToList();
        foreach (var needed in ProjectClosure(project).Append(project))
        {
            var folder = Path.GetDirectoryName(needed)!.Replace('\\', '/') + "/";
            Assert.Contains(copies, copy => copy.StartsWith($"COPY {needed} ", StringComparison.Ordinal));
            Assert.Contains(copies, copy => copy.StartsWith($"COPY {folder} ", StringComparison.Ordinal));
        }
    }

    private static string Full(string relative) => Path.Combine(RepositoryRoot.Path, relative);

    /// <summary>Every project reachable through ProjectReference, as paths relative to the repository root.</summary>
    private static List<string> ProjectClosure(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var current))
        {
            foreach (var reference in XDocument.Load(Full(current)).Descendants("ProjectReference"))
            {
                var resolved = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Full(current))!, (string)reference.Attribute("Include")!));
                var relative = Path.GetRelativePath(RepositoryRoot.Path, resolved).Replace('\\', '/');
                if (seen.Add(relative))
                {
                    pending.Push(relative);
                }
            }
        }

        return [.. seen];
    }

    private static List<string> PackagesOf(string project) =>
        [.. XDocument.Load(Full(project)).Descendants("PackageReference").Select(r => (string)r.Attribute("Include")!)];
}
