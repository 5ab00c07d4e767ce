using System.Reflection;

namespace Able.Attribution.Service.ConsolePages;

/// <summary>The console's stylesheet and script, embedded in the assembly and served from <c>/console/assets/</c> (never a CDN).</summary>
public static class ConsoleAssets
{
    public const string StylesheetPath = "/console/assets/console.css";
    public const string ScriptPath = "/console/assets/console.js";

    public static string Stylesheet { get; } = Read("console.css");

    public static string Script { get; } = Read("console.js");

    private static string Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Able.Console." + name)
            ?? throw new InvalidOperationException($"The console asset {name} is not embedded in the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
