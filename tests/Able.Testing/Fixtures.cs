namespace Able.Testing;

/// <summary>
/// The Calendly and Stripe webhook fixtures, kept in the repository (<c>tests/fixtures</c>) so a clone passes on its
/// own. <c>RepositoryBoundaryTests</c> fails if a test reaches outside the repository for them again.
/// </summary>
public static class Fixtures
{
    public static string Root { get; } = FindRoot();

    public static string Read(string relativePath, string? visitorId = null)
    {
        var text = File.ReadAllText(Path.Combine(Root, relativePath));
        return visitorId is null ? text : text.Replace("VISITOR_ID_PLACEHOLDER", visitorId, StringComparison.Ordinal);
    }

    /// <summary>The fixture's bytes; exactly as on disk unless a visitor id replaces the placeholder.</summary>
    public static byte[] Bytes(string relativePath, string? visitorId = null) => visitorId is null
        ? File.ReadAllBytes(Path.Combine(Root, relativePath))
        : System.Text.Encoding.UTF8.GetBytes(Read(relativePath, visitorId));

    /// <summary>(source, file name) for every JSON fixture: calendly/*.json and stripe/*.json.</summary>
    public static TheoryData<string, string> All()
    {
        var data = new TheoryData<string, string>();
        foreach (var source in new[] { "calendly", "stripe" })
        {
            foreach (var file in Directory.GetFiles(Path.Combine(Root, source), "*.json").Order(StringComparer.Ordinal))
            {
                data.Add(source, Path.GetFileName(file));
            }
        }

        return data;
    }

    private static string FindRoot()
    {
        var fixtures = Path.Combine(RepositoryRoot.Path, "tests", "fixtures");
        return Directory.Exists(fixtures)
            ? fixtures
            : throw new DirectoryNotFoundException($"Fixtures not found at {fixtures}.");
    }
}
