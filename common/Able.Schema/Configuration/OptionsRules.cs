using System.Globalization;
using System.Net;

namespace Able.Schema.Configuration;

/// <summary>
/// The rules the section validators share. Every message starts with the full key it is about, so an
/// operator can fix it without reading code; secrets are never echoed.
/// </summary>
public static class OptionsRules
{
    /// <summary>The full key of a top-level section, such as <c>Able:Worker</c>.</summary>
    public static string KeyOf(string section) => $"{AbleOptions.SectionName}:{section}";

    public static void RequireBetween(string key, int value, int min, int max, ICollection<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (value < min || value > max)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{key} must be between {min} and {max}"));
        }
    }

    public static void RequireCidrs(string key, string[] values, ICollection<string> errors)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(errors);
        for (var i = 0; i < values.Length; i++)
        {
            if (!IPNetwork.TryParse(values[i], out _))
            {
                errors.Add($"{key}:{i} must be a CIDR such as 10.0.0.0/8 (got '{values[i]}')");
            }
        }
    }

    /// <summary>Whether <paramref name="value"/> is an absolute http or https URL; if not, says so under <paramref name="key"/>.</summary>
    public static bool RequireAbsoluteHttpUrl(string key, string? value, ICollection<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add($"{key} must not be empty");
            return false;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"{key} must be an absolute http or https URL (got '{value}')");
            return false;
        }

        return true;
    }

    /// <summary>A service's public and management URLs: both absolute http(s) URLs, on different ports.</summary>
    public static void RequireEndpoints(string path, IServiceEndpoints endpoints, ICollection<string> errors)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var publicOk = RequireAbsoluteHttpUrl($"{path}:PublicUrl", endpoints.PublicUrl, errors);
        var managementOk = RequireAbsoluteHttpUrl($"{path}:ManagementUrl", endpoints.ManagementUrl, errors);
        if (publicOk && managementOk && new Uri(endpoints.PublicUrl).Port == new Uri(endpoints.ManagementUrl).Port)
        {
            errors.Add($"{path}:ManagementUrl must use a different port from {path}:PublicUrl");
        }
    }
}
