namespace Able.Schema.Visitors;

/// <summary>
/// The browser's User-Agent client hints, as the gateway captured them last (each a visitor hash field,
/// <see cref="VisitorFields"/>). Chromium browsers send the first three on every request over HTTPS; the others only
/// after the site asked for them with <c>Accept-CH</c>, that is from a visitor's second page on. Each value is cleaned
/// (<see cref="ClientHintValue"/>): strings unquoted, brand lists as compact text.
/// </summary>
public sealed record DeviceHints
{
    /// <summary><c>Sec-CH-UA</c>: the brands and major versions, compact (<c>"Chromium";v="128","Google Chrome";v="128"</c>).</summary>
    public string? Brands { get; init; }

    /// <summary><c>Sec-CH-UA-Mobile</c>.</summary>
    public bool? Mobile { get; init; }

    /// <summary><c>Sec-CH-UA-Platform</c>: <c>Windows</c>, <c>Android</c>, <c>macOS</c>...</summary>
    public string? Platform { get; init; }

    /// <summary><c>Sec-CH-UA-Platform-Version</c>: <c>15.0.0</c>.</summary>
    public string? PlatformVersion { get; init; }

    /// <summary><c>Sec-CH-UA-Model</c>: <c>Pixel 8</c> (desktops send an empty one, kept as none).</summary>
    public string? Model { get; init; }

    /// <summary><c>Sec-CH-UA-Arch</c>: <c>x86</c>, <c>arm</c>.</summary>
    public string? Architecture { get; init; }

    /// <summary><c>Sec-CH-UA-Bitness</c>: <c>64</c>.</summary>
    public string? Bitness { get; init; }

    /// <summary><c>Sec-CH-UA-Full-Version-List</c>, compact like <see cref="Brands"/>, with full versions.</summary>
    public string? FullVersionList { get; init; }

    /// <summary>True when no hint is known.</summary>
    public bool IsEmpty => Brands is null && Mobile is null && Platform is null && PlatformVersion is null && Model is null
        && Architecture is null && Bitness is null && FullVersionList is null;

    /// <summary>The brands of <see cref="FullVersionList"/> with their full versions; empty when there is none.</summary>
    public IReadOnlyList<BrandVersion> FullVersions() => ClientHintValue.Brands(FullVersionList) ?? [];

    /// <summary><see cref="Mobile"/> as the visitor hash keeps it.</summary>
    public static string? StoredMobile(bool? mobile) => mobile switch
    {
        true => "1",
        false => "0",
        null => null,
    };

    /// <summary>The hints of a visitor hash's fields (null values for fields it does not have); null when it has none.</summary>
    public static DeviceHints? FromFields(Func<string, string?> field)
    {
        ArgumentNullException.ThrowIfNull(field);
        var hints = new DeviceHints
        {
            Brands = field(VisitorFields.HintBrands),
            Mobile = field(VisitorFields.HintMobile) switch
            {
                "1" => true,
                "0" => false,
                _ => null,
            },
            Platform = field(VisitorFields.HintPlatform),
            PlatformVersion = field(VisitorFields.HintPlatformVersion),
            Model = field(VisitorFields.HintModel),
            Architecture = field(VisitorFields.HintArchitecture),
            Bitness = field(VisitorFields.HintBitness),
            FullVersionList = field(VisitorFields.HintFullVersionList),
        };
        return hints.IsEmpty ? null : hints;
    }
}
