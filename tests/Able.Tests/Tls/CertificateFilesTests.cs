using Able.Gateway.Tls;

namespace Able.Tests.Tls;

/// <summary>Which files in the certificate directory are taken as certificate and key pairs.</summary>
public sealed class CertificateFilesTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("able-certfiles-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private void Touch(params string[] relativePaths)
    {
        foreach (var relative in relativePaths)
        {
            var path = Path.Combine(root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, "x");
        }
    }

    private List<string> Found() =>
        CertificateFiles.Find(root).Select(pair => $"{Path.GetRelativePath(root, pair.CertificatePath)}+{Path.GetRelativePath(root, pair.KeyPath)}").ToList();

    [Fact]
    public void Certbot_live_flat_and_one_level_down_pairs_are_found_and_certbot_internals_hidden_entries_and_lone_files_are_not()
    {
        Touch(
            "live/shop/fullchain.pem", "live/shop/privkey.pem", "live/shop/cert.pem", "live/README",
            "live/halfdone/fullchain.pem",
            "archive/shop/fullchain1.pem", "archive/shop/privkey1.pem", "archive/x.crt", "archive/x.key",
            "renewal/shop.conf", "accounts/a.crt", "accounts/a.key",
            "flat.example.com.crt", "flat.example.com.key", "lonely.crt", "lonely-key.key",
            "k8s-secret/tls.crt", "k8s-secret/tls.key", ".hidden/a.crt", ".hidden/a.key", ".data-2026/tls.crt", ".data-2026/tls.key");
        Assert.Equal(
            ["flat.example.com.crt+flat.example.com.key", "k8s-secret/tls.crt+k8s-secret/tls.key", "live/shop/fullchain.pem+live/shop/privkey.pem"],
            Found().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_missing_directory_has_no_pairs() => Assert.Empty(CertificateFiles.Find(Path.Combine(root, "absent")));

    [Fact]
    public void The_fingerprint_changes_when_a_file_is_rewritten_or_a_symlink_is_pointed_elsewhere()
    {
        Touch("archive/shop/fullchain1.pem", "archive/shop/fullchain2.pem", "live/shop/privkey.pem");
        var live = Path.Combine(root, "live/shop/fullchain.pem");
        File.CreateSymbolicLink(live, Path.Combine(root, "archive/shop/fullchain1.pem"));
        var pair = Assert.Single(CertificateFiles.Find(root));
        var first = pair.Fingerprint();
        Assert.Equal(first, pair.Fingerprint());

        // certbot's renewal: the live symlink now names the next archive file.
        File.Delete(live);
        File.CreateSymbolicLink(live, Path.Combine(root, "archive/shop/fullchain2.pem"));
        var second = pair.Fingerprint();
        Assert.NotEqual(first, second);

        File.WriteAllText(Path.Combine(root, "live/shop/privkey.pem"), "longer key");
        Assert.NotEqual(second, pair.Fingerprint());
    }
}
