using Able.Schema.Visitors;

namespace Able.Gateway.Capture;

/// <summary>
/// The User-Agent client hint headers of a request as <see cref="DeviceHints"/>. Chromium sends <c>Sec-CH-UA</c>,
/// <c>-Mobile</c> and <c>-Platform</c> on every request to a secure origin, the others once the site asked for them
/// (<see cref="ClientHints.AcceptClientHints"/>). A value that is too long, holds a control character or is not the
/// structured field its header defines is dropped and reported, like every captured value.
/// </summary>
internal static class DeviceHintHeaders
{
    public const string Brands = "Sec-CH-UA";
    public const string Mobile = "Sec-CH-UA-Mobile";
    public const string Platform = "Sec-CH-UA-Platform";
    public const string PlatformVersion = "Sec-CH-UA-Platform-Version";
    public const string Model = "Sec-CH-UA-Model";
    public const string Architecture = "Sec-CH-UA-Arch";
    public const string Bitness = "Sec-CH-UA-Bitness";
    public const string FullVersionList = "Sec-CH-UA-Full-Version-List";

    /// <summary>The hints <paramref name="headers"/> carry; null when none (a browser other than Chromium, or plain HTTP).</summary>
    public static DeviceHints? Read(IHeaderDictionary headers, Action<CaptureValueProblem> rejected)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rejected);
        if (!AnyOf(headers))
        {
            return null; // a request without hints (not Chromium, or not HTTPS): nothing allocated
        }

        var hints = new DeviceHints
        {
            Brands = Read(headers, Brands, ClientHintValue.MaxBrandListLength, ClientHintValue.CompactBrandList, rejected),
            Mobile = Read(headers, Mobile, ClientHintValue.MaxLength, ClientHintValue.Flag, rejected),
            Platform = Read(headers, Platform, ClientHintValue.MaxLength + 2, ClientHintValue.Text, rejected),
            PlatformVersion = Read(headers, PlatformVersion, ClientHintValue.MaxLength + 2, ClientHintValue.Text, rejected),
            Model = Read(headers, Model, ClientHintValue.MaxLength + 2, ClientHintValue.Text, rejected),
            Architecture = Read(headers, Architecture, ClientHintValue.MaxLength + 2, ClientHintValue.Text, rejected),
            Bitness = Read(headers, Bitness, ClientHintValue.MaxLength + 2, ClientHintValue.Text, rejected),
            FullVersionList = Read(headers, FullVersionList, ClientHintValue.MaxBrandListLength, ClientHintValue.CompactBrandList, rejected),
        };
        return hints.IsEmpty ? null : hints;
    }

    private static readonly string[] Names = [Brands, Mobile, Platform, PlatformVersion, Model, Architecture, Bitness, FullVersionList];

    private static bool AnyOf(IHeaderDictionary headers)
    {
        foreach (var name in Names)
        {
            if (headers.ContainsKey(name))
            {
                return true;
            }
        }

        return false;
    }

    private static T? Read<T>(IHeaderDictionary headers, string name, int maxLength, Func<string, T?> parse, Action<CaptureValueProblem> rejected)
    {
        if (!headers.TryGetValue(name, out var values) || values.Count == 0)
        {
            return default;
        }

        // A structured field sent on several lines is one list joined by commas (RFC 8941, 4.2).
        var (value, problem) = CaptureValue.Clean(values.Count == 1 ? values[0] : string.Join(',', values.ToArray()), maxLength);
        if (problem != CaptureValueProblem.None)
        {
            rejected(problem);
            return default;
        }

        if (value is null)
        {
            return default;
        }

        var parsed = parse(value);
        if (parsed is null)
        {
            rejected(CaptureValueProblem.InvalidText);
        }

        // An empty string is well-formed (desktops send Sec-CH-UA-Model: ""): no value, nothing wrong.
        return parsed is string { Length: 0 } ? default : parsed;
    }
}
