namespace Able.Gateway.Tls;

/// <summary>
/// One certificate and its key on disk, and a cheap fingerprint of both (the final target of any symlink, its length and
/// modification time) to tell whether they changed since the last check without reading them.
/// </summary>
internal sealed record CertificateFiles(string CertificatePath, string KeyPath)
{
    /// <summary>
    /// Every pair under <paramref name="directory"/>: certbot's <c>live/&lt;name&gt;/fullchain.pem</c> + <c>privkey.pem</c>, and flat
    /// <c>&lt;name&gt;.crt</c> + <c>&lt;name&gt;.key</c> in the directory itself or one directory down (a Kubernetes TLS Secret mounted
    /// per host gives <c>&lt;host&gt;/tls.crt</c> + <c>tls.key</c>). Hidden entries (Kubernetes' <c>..data</c>) are skipped.
    /// </summary>
    public static IReadOnlyList<CertificateFiles> Find(string directory)
    {
        var found = new List<CertificateFiles>();
        if (!Directory.Exists(directory))
        {
            return found;
        }

        AddFlat(directory, found);
        foreach (var child in SafeDirectories(directory))
        {
            var name = Path.GetFileName(child);
            if (name.StartsWith('.'))
            {
                continue;
            }

            if (name == "live")
            {
                foreach (var live in SafeDirectories(child))
                {
                    AddIfBoth(Path.Combine(live, "fullchain.pem"), Path.Combine(live, "privkey.pem"), found);
                }
            }
            else if (name is not ("archive" or "renewal" or "accounts" or "keys" or "csr"))
            {
                AddFlat(child, found);
            }
        }

        return found;
    }

    /// <summary>Changes whenever either file (or what its symlink points at) is replaced or rewritten.</summary>
    public string Fingerprint() => $"{Describe(CertificatePath)}|{Describe(KeyPath)}";

    private static string Describe(string path)
    {
        try
        {
            var target = File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path;
            var info = new FileInfo(target);
            return info.Exists ? $"{target}:{info.Length}:{info.LastWriteTimeUtc.Ticks}" : $"{target}:missing";
        }
        catch (IOException)
        {
            return $"{path}:unreadable";
        }
        catch (UnauthorizedAccessException)
        {
            return $"{path}:unreadable";
        }
    }

    private static void AddFlat(string directory, List<CertificateFiles> found)
    {
        foreach (var certificate in SafeFiles(directory, "*.crt"))
        {
            AddIfBoth(certificate, Path.ChangeExtension(certificate, ".key"), found);
        }
    }

    private static void AddIfBoth(string certificate, string key, List<CertificateFiles> found)
    {
        if (File.Exists(certificate) && File.Exists(key))
        {
            found.Add(new CertificateFiles(certificate, key));
        }
    }

    private static IEnumerable<string> SafeDirectories(string directory)
    {
        try
        {
            return Directory.GetDirectories(directory).Order(StringComparer.Ordinal);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static IEnumerable<string> SafeFiles(string directory, string pattern)
    {
        try
        {
            return Directory.GetFiles(directory, pattern).Order(StringComparer.Ordinal);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
