using Able.Schema.Visitors;

namespace Able.Testing;

/// <summary>
/// The User-Agent client hints of Chrome on an Android phone, as it sends them: the three it sends on every request to a
/// secure origin (<see cref="LowEntropy"/>), the ones it adds once the site asked with <c>Accept-CH</c>
/// (<see cref="HighEntropy"/>), and what the visitor hash keeps of both (<see cref="Stored"/>).
/// </summary>
public static class ChromiumClientHints
{
    public static IReadOnlyDictionary<string, string> LowEntropy { get; } = new Dictionary<string, string>
    {
        ["Sec-CH-UA"] = "\"Chromium\";v=\"128\", \"Not;A=Brand\";v=\"24\", \"Google Chrome\";v=\"128\"",
        ["Sec-CH-UA-Mobile"] = "?1",
        ["Sec-CH-UA-Platform"] = "\"Android\"",
    };

    /// <summary>The high-entropy hints; the architecture is an empty string (well-formed: none known).</summary>
    public static IReadOnlyDictionary<string, string> HighEntropy { get; } = new Dictionary<string, string>
    {
        ["Sec-CH-UA-Platform-Version"] = "\"14.0.0\"",
        ["Sec-CH-UA-Model"] = "\"Pixel 8\"",
        ["Sec-CH-UA-Arch"] = "\"\"",
        ["Sec-CH-UA-Bitness"] = "\"64\"",
        ["Sec-CH-UA-Full-Version-List"] = "\"Chromium\";v=\"128.0.6613.84\", \"Not;A=Brand\";v=\"24.0.0.0\"",
    };

    /// <summary>What the visitor keeps of <see cref="LowEntropy"/>: the brand list compact, the strings unquoted.</summary>
    public static DeviceHints StoredLowEntropy { get; } = new()
    {
        Brands = "\"Chromium\";v=\"128\",\"Not;A=Brand\";v=\"24\",\"Google Chrome\";v=\"128\"",
        Mobile = true,
        Platform = "Android",
    };

    /// <summary>What the visitor keeps of both: no architecture.</summary>
    public static DeviceHints Stored { get; } = StoredLowEntropy with
    {
        PlatformVersion = "14.0.0",
        Model = "Pixel 8",
        Bitness = "64",
        FullVersionList = "\"Chromium\";v=\"128.0.6613.84\",\"Not;A=Brand\";v=\"24.0.0.0\"",
    };

    /// <summary>TikTok's <c>device</c> object for <see cref="Stored"/> (the shape of TikTok's server-side GTM tag).</summary>
    public const string DeviceJson = """
        {"platform":"Android","platform_version":"14.0.0","mobile":true,"model":"Pixel 8","bitness":"64",
         "browser_version_list":[{"brand":"Chromium","version":"128.0.6613.84"},{"brand":"Not;A=Brand","version":"24.0.0.0"}]}
        """;

    /// <summary>Adds <paramref name="hints"/> to <paramref name="request"/> as they are (no validation).</summary>
    public static void AddTo(HttpRequestMessage request, IReadOnlyDictionary<string, string> hints)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(hints);
        foreach (var (name, value) in hints)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
    }
}
