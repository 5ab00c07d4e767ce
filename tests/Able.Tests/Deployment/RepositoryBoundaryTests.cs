using System.Text.RegularExpressions;

namespace Able.Tests.Deployment;

/// <summary>
/// A clone of the repository must pass on its own: no test, project file or script may read a path outside the
/// repository root (such as a <c>../shared</c> folder that only the developers' machines have beside it).
/// </summary>
public sealed partial class RepositoryBoundaryTests
{
    private const string UrlMarker = "// URL, not a file path";
    private static readonly string Root = RepositoryRoot.Path;

    [Fact]
    public void Fixtures_are_read_from_inside_the_repository()
    {
        var fixtures = Path.GetFullPath(Fixtures.Root);
        Assert.StartsWith(Root + Path.DirectorySeparatorChar, fixtures, StringComparison.Ordinal);
        Assert.NotEmpty(Fixtures.All());
    }

    /// <summary>
    /// Test code reaches files through <see cref="RepositoryRoot"/>; the only way out of it is a <c>".."</c> segment,
    /// so no test source may contain one (this file excepted, which names it). A URL path sent to a server as an
    /// attack (never opened as a file) says so on its line with <c>// URL, not a file path</c>.
    /// </summary>
    [Fact]
    public void No_test_source_climbs_above_a_folder()
    {
        var offenders = TestSources()
            .Where(file => !file.EndsWith(nameof(RepositoryBoundaryTests) + ".cs", StringComparison.Ordinal))
            .SelectMany(file => File.ReadLines(file).Select((line, index) => (file, line, number: index + 1)))
            .Where(hit => ParentSegment().IsMatch(hit.line) && !hit.line.Contains(UrlMarker, StringComparison.Ordinal))
            .Select(hit => $"{Relative(hit.file)}:{hit.number}: {hit.line.Trim()}")
            .ToList();

        Assert.True(offenders.Count == 0, "Test sources climb out of a folder:\n" + string.Join('\n', offenders));
    }

    /// <summary>Every relative path an MSBuild file under the root names resolves inside the root.</summary>
    [Fact]
    public void Every_path_a_project_file_names_stays_inside_the_repository()
    {
        var projectFiles = Directory.EnumerateFiles(Root, "*.*", SearchOption.AllDirectories)
            .Where(file => file.EndsWith(".csproj", StringComparison.Ordinal) || file.EndsWith(".props", StringComparison.Ordinal))
            .Where(IsSource)
            .ToList();
        Assert.NotEmpty(projectFiles);

        var escaping = new List<string>();
        foreach (var file in projectFiles)
        {
            foreach (Match attribute in PathAttribute().Matches(File.ReadAllText(file)))
            {
                var value = attribute.Groups["path"].Value;
                if (value.Contains("$(", StringComparison.Ordinal) || !value.Contains("..", StringComparison.Ordinal))
                {
                    continue;
                }

                var resolved = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, value.Replace('\\', '/')));
                if (!resolved.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                {
                    escaping.Add($"{Relative(file)}: {value} -> {resolved}");
                }
            }
        }

        Assert.True(escaping.Count == 0, "Project files name paths outside the repository:\n" + string.Join('\n', escaping));
    }

    /// <summary>The launcher and CI script may go up only from their own folder to the root, never beside it.</summary>
    [Theory]
    [InlineData("able")]
    [InlineData(".ci/run")]
    public void Scripts_do_not_reach_beside_the_repository(string script)
    {
        var text = File.ReadAllText(Path.Combine(Root, script));
        Assert.DoesNotMatch(SiblingFolder(), text);
        Assert.DoesNotContain("../..", text, StringComparison.Ordinal);
    }

    /// <summary>
    /// Code comments point only at what a clone has: the README or the reason itself, never a design document kept
    /// elsewhere. The markers are built from parts so this file does not match itself.
    /// </summary>
    [Fact]
    public void No_code_comment_points_at_a_design_document_outside_the_repository()
    {
        string[] markers = ["DESIGN" + ".md", "DESIGN" + " §"];
        var sources = Directory.EnumerateFiles(Root, "*.cs", SearchOption.AllDirectories).Where(IsSource).ToList();
        Assert.Contains(sources, file => file.EndsWith(nameof(RepositoryBoundaryTests) + ".cs", StringComparison.Ordinal));

        var offenders = sources
            .SelectMany(file => File.ReadLines(file).Select((line, index) => (file, line, number: index + 1)))
            .Where(hit => markers.Any(marker => hit.line.Contains(marker, StringComparison.Ordinal)))
            .Select(hit => $"{Relative(hit.file)}:{hit.number}: {hit.line.Trim()}")
            .ToList();

        Assert.True(offenders.Count == 0, "Sources cite a document a clone does not have:\n" + string.Join('\n', offenders));
    }

    [Fact]
    public void The_guard_itself_sees_a_climb_out()
    {
        Assert.Matches(ParentSegment(), """Path.Combine(RepositoryRoot.Path, "..", "shared")""");
        Assert.Matches(ParentSegment(), """File.ReadAllText("../shared/fixtures/x.json")""");
        Assert.Matches(SiblingFolder(), "cat \"$ROOT/../shared/fixtures/a.json\"");
        Assert.DoesNotMatch(ParentSegment(), "var range = 1..3;");
    }

    private static IEnumerable<string> TestSources() =>
        Directory.EnumerateFiles(Path.Combine(Root, "tests"), "*.cs", SearchOption.AllDirectories).Where(IsSource);

    private static bool IsSource(string file)
    {
        var relative = Relative(file).Replace('\\', '/');
        return !relative.Contains("/bin/", StringComparison.Ordinal)
            && !relative.Contains("/obj/", StringComparison.Ordinal)
            && !relative.StartsWith('.');
    }

    private static string Relative(string file) => Path.GetRelativePath(Root, file);

    /// <summary>A <c>..</c> path segment inside a string: <c>".."</c>, <c>"../x"</c>, <c>"a/../b"</c>, <c>..\</c>.</summary>
    [GeneratedRegex("""("\.\."|\.\./|/\.\.|\.\.\\)""")]
    private static partial Regex ParentSegment();

    [GeneratedRegex("(Include|Project|Update)=\"(?<path>[^\"]+)\"")]
    private static partial Regex PathAttribute();

    /// <summary>A path that leaves a folder and enters a sibling: <c>/../name</c> (the root's <c>$(dirname "$0")/..</c> is fine).</summary>
    [GeneratedRegex("""\.\./[A-Za-z_]""")]
    private static partial Regex SiblingFolder();
}
