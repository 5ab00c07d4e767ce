namespace Able.Tests;

/// <summary>The shared Calendly and Stripe fixtures (<c>../shared/fixtures</c> next to the repository root).</summary>
internal static class Fixtures
{
    public static string Root { get; } = FindRoot();

    public static string Read(string relativePath, string? visitorId = null)
    {
        var text = File.ReadAllText(Path.Combine(Root, relativePath));
        return visitorId is null ? text : text.Replace("VISITOR_ID_PLACEHOLDER", visitorId, StringComparison.Ordinal);
    }

    public static byte[] Bytes(string relativePath, string? visitorId = null) =>
        System.Text.Encoding.UTF8.GetBytes(Read(relativePath, visitorId));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Able.sln")))
            {
                var fixtures = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "fixtures"));
                return Directory.Exists(fixtures)
                    ? fixtures
                    : throw new DirectoryNotFoundException($"Fixtures not found at {fixtures}.");
            }
        }

        throw new DirectoryNotFoundException("Able.sln not found above the test binaries.");
    }
}
