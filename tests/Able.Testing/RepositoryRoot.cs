namespace Able.Testing;

/// <summary>The folder holding Able.sln, found by walking up from the test binaries.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Able.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Able.sln not found above " + AppContext.BaseDirectory);
    }
}
