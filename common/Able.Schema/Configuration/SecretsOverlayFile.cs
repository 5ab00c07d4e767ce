using System.Text.Json;
using System.Text.Json.Nodes;

namespace Able.Schema.Configuration;

/// <summary>
/// The secrets overlay, <c>config/able.secrets.json</c> by default: secrets per funnel mark, read by both services after
/// <c>able.json</c> and before the environment (so an environment variable still wins), and watched, so a key written here
/// is used without a restart. Written by <c>./able calendly connect</c> and the Calendly subscription watchdog. Layout:
/// <code>
/// { "Funnels": { "acme": { "Calendly": { "SigningKey": "…", "ApiToken": "…" }, "TikTok": { "AccessToken": "…" } } } }
/// </code>
/// Every setting under a mark is that funnel's setting of the same name (<c>Able:Funnels:{i}:Calendly:SigningKey</c>);
/// a mark that names no funnel is ignored. Marks are matched ignoring case.
/// </summary>
public sealed class SecretsOverlayFile(string path)
{
    /// <summary>The overlay's file name, beside the configuration file unless <c>--secrets</c> or <c>ABLE_SECRETS</c> names another.</summary>
    public const string DefaultFileName = "able.secrets.json";

    public const string FunnelsKey = "Funnels";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    private static readonly JsonDocumentOptions Lenient = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>
    /// The overlay's settings per mark, flattened to <c>Calendly:SigningKey</c> → value, or a problem naming what is wrong
    /// with the file (not JSON, not the layout above). Empty text is an empty overlay. Never throws on the content.
    /// </summary>
    public static (IReadOnlyDictionary<string, IReadOnlyDictionary<string, string?>> Funnels, string? Problem) Parse(string json)
    {
        var (_, funnels, problem) = ParseRoot(json);
        return (funnels, problem);
    }

    /// <summary>The overlay as it is on disk now; a missing file is an empty overlay.</summary>
    public JsonObject Read()
    {
        var (root, _, problem) = ParseRoot(File.Exists(Path) ? File.ReadAllText(Path) : "");
        return root ?? throw new InvalidDataException($"The secrets overlay {Path} cannot be read: {problem}.");
    }

    /// <summary>
    /// The text as a JSON object in the overlay's layout (every mark an object) with its settings per mark, or null, no settings
    /// and what is wrong. Everything is read inside the guard: a <see cref="JsonObject"/> reports a repeated property name only
    /// when it is first enumerated.
    /// </summary>
    private static (JsonObject? Root, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string?>> Funnels, string? Problem) ParseRoot(string json)
    {
        static (JsonObject?, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string?>>, string?) Refused(string problem) =>
            (null, new Dictionary<string, IReadOnlyDictionary<string, string?>>(), problem);

        try
        {
            if ((string.IsNullOrWhiteSpace(json) ? new JsonObject() : JsonNode.Parse(json, documentOptions: Lenient)) is not JsonObject root)
            {
                return Refused("it must be a JSON object");
            }

            var funnels = new Dictionary<string, IReadOnlyDictionary<string, string?>>(StringComparer.OrdinalIgnoreCase);
            foreach (var (key, value) in root)
            {
                if (!string.Equals(key, FunnelsKey, StringComparison.Ordinal))
                {
                    return Refused($"'{key}' names nothing; the overlay has only \"{FunnelsKey}\"");
                }

                if (value is not JsonObject marks)
                {
                    return Refused($"\"{FunnelsKey}\" must be an object of funnel marks");
                }

                foreach (var (mark, settings) in marks)
                {
                    if (settings is not JsonObject settingsObject)
                    {
                        return Refused($"\"{FunnelsKey}\".\"{mark}\" must be an object");
                    }

                    var flat = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
                    Flatten(settingsObject, "", flat);
                    funnels[mark] = flat;
                }
            }

            return (root, funnels, null);
        }
        catch (Exception error) when (error is JsonException or ArgumentException or InvalidOperationException)
        {
            return Refused($"it is not JSON in the overlay's layout ({error.Message})");
        }
    }

    /// <summary>One setting of one funnel (<c>Calendly:SigningKey</c>), or null.</summary>
    public string? Get(string mark, string setting)
    {
        ArgumentException.ThrowIfNullOrEmpty(mark);
        var text = File.Exists(Path) ? File.ReadAllText(Path) : "";
        var (funnels, _) = Parse(text);
        return funnels.TryGetValue(mark, out var settings) && settings.TryGetValue(setting, out var value) ? value : null;
    }

    /// <summary>
    /// Sets settings of one funnel (<c>Calendly:SigningKey</c> → value; null removes it), keeping everything else. Other writers
    /// (a second replica's watchdog, a connect run) wait for a lock file; the new file replaces the old one whole (written beside
    /// it, readable by its owner only, then renamed over it), so a reader never sees half of it.
    /// </summary>
    public async Task SetAsync(string mark, IReadOnlyDictionary<string, string?> settings, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(mark);
        ArgumentNullException.ThrowIfNull(settings);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        await using var held = await LockAsync(cancellationToken);
        var root = Read();
        var funnels = root[FunnelsKey] as JsonObject ?? [];
        root[FunnelsKey] = funnels;
        var existingMark = funnels.Select(p => p.Key).FirstOrDefault(k => string.Equals(k, mark, StringComparison.OrdinalIgnoreCase)) ?? mark;
        var funnel = funnels[existingMark] as JsonObject ?? [];
        funnels[existingMark] = funnel;
        foreach (var (setting, value) in settings)
        {
            Set(funnel, setting.Split(':'), value);
        }

        var temporary = $"{Path}.{Environment.ProcessId}.tmp";
        var created = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            created.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var stream = new FileStream(temporary, created))
        {
            await JsonSerializer.SerializeAsync(stream, root, Indented, cancellationToken);
        }

        File.Move(temporary, Path, overwrite: true);
    }

    private static void Set(JsonObject node, string[] path, string? value)
    {
        for (var i = 0; i < path.Length - 1; i++)
        {
            var name = path[i];
            var key = node.Select(p => p.Key).FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase)) ?? name;
            if (node[key] is not JsonObject child)
            {
                if (value is null)
                {
                    return;
                }

                child = [];
                node[key] = child;
            }

            node = child;
        }

        var leaf = node.Select(p => p.Key).FirstOrDefault(k => string.Equals(k, path[^1], StringComparison.OrdinalIgnoreCase)) ?? path[^1];
        if (value is null)
        {
            node.Remove(leaf);
        }
        else
        {
            node[leaf] = value;
        }
    }

    private static void Flatten(JsonObject node, string prefix, Dictionary<string, string?> into)
    {
        foreach (var (key, value) in node)
        {
            var path = prefix.Length == 0 ? key : $"{prefix}:{key}";
            switch (value)
            {
                case JsonObject child:
                    Flatten(child, path, into);
                    break;
                case JsonArray array:
                    for (var i = 0; i < array.Count; i++)
                    {
                        if (array[i] is JsonObject item)
                        {
                            Flatten(item, $"{path}:{i}", into);
                        }
                        else
                        {
                            into[$"{path}:{i}"] = Scalar(array[i]);
                        }
                    }

                    break;
                default:
                    into[path] = Scalar(value);
                    break;
            }
        }
    }

    private static string? Scalar(JsonNode? value) => value switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => value.ToJsonString(),
    };

    /// <summary>An exclusive lock on <c>{path}.lock</c>, waited for (another writer holds it for milliseconds).</summary>
    private async Task<FileStream> LockAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                return new FileStream($"{Path}.lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(20, cancellationToken);
            }
        }
    }
}
