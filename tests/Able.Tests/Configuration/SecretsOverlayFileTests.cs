using Able.Hosting.Configuration;
using Able.Schema.Configuration;
using CsCheck;
using Microsoft.Extensions.Configuration;

namespace Able.Tests.Configuration;

public sealed class SecretsOverlayFileTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), $"able-secrets-{Guid.NewGuid():N}");

    public SecretsOverlayFileTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Any_text_parses_to_settings_or_a_problem_and_never_throws()
    {
        Gen.String.Sample(text => { _ = SecretsOverlayFile.Parse(text); }, iter: 5000);
        // Text made of JSON's own characters reaches the layout checks, not only the JSON parser.
        Gen.Char["{}[]\":,Funelsacm 10-"].Array[0, 60].Select(chars => new string(chars)).Sample(text =>
        {
            var (funnels, problem) = SecretsOverlayFile.Parse(text);
            Assert.True(problem is not null || funnels is not null);
        }, iter: 20000);
    }

    [Theory]
    [InlineData("{", "not JSON")]
    [InlineData("[]", "JSON object")]
    [InlineData("{\"Funnel\":{}}", "'Funnel' names nothing")]
    [InlineData("{\"Funnels\":[]}", "object of funnel marks")]
    [InlineData("{\"Funnels\":{\"acme\":\"key\"}}", "\"acme\" must be an object")]
    [InlineData("{\"Funnels\":{\"acme\":{},\"acme\":{}}}", "not JSON in the overlay's layout")]
    [InlineData("{\"Funnels\":{\"acme\":{\"Calendly\":{\"SigningKey\":\"a\",\"SigningKey\":\"b\"}}}}", "not JSON in the overlay's layout")]
    [InlineData("{\"funnels\":{}}", "'funnels' names nothing")]
    public void A_file_in_the_wrong_shape_is_a_problem_that_says_what_is_wrong(string text, string named)
    {
        var (funnels, problem) = SecretsOverlayFile.Parse(text);
        Assert.Empty(funnels);
        Assert.Contains(named, problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Set_keeps_other_settings_and_funnels_and_null_removes_one()
    {
        var overlay = new SecretsOverlayFile(Path.Combine(folder, "able.secrets.json"));
        await overlay.SetAsync("acme", new Dictionary<string, string?> { ["Calendly:SigningKey"] = "k1", ["TikTok:AccessToken"] = "t1" });
        await overlay.SetAsync("shop", new Dictionary<string, string?> { ["Calendly:SigningKey"] = "k2" });
        await overlay.SetAsync("ACME", new Dictionary<string, string?> { ["Calendly:SigningKey"] = "k3", ["TikTok:AccessToken"] = null });

        Assert.Equal("k3", overlay.Get("acme", "Calendly:SigningKey"));
        Assert.Null(overlay.Get("acme", "TikTok:AccessToken"));
        Assert.Equal("k2", overlay.Get("shop", "Calendly:SigningKey"));
        Assert.Single(overlay.Read()["Funnels"]!.AsObject(), p => p.Key.Equals("acme", StringComparison.OrdinalIgnoreCase));
        Assert.Equal([Path.Combine(folder, "able.secrets.json")], Directory.GetFiles(folder));
    }

    [Fact]
    public async Task Concurrent_writers_lose_nothing()
    {
        var overlay = new SecretsOverlayFile(Path.Combine(folder, "able.secrets.json"));
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() =>
            overlay.SetAsync($"f{i}", new Dictionary<string, string?> { ["Calendly:SigningKey"] = $"k{i}" }))));
        Assert.All(Enumerable.Range(0, 20), i => Assert.Equal($"k{i}", overlay.Get($"f{i}", "Calendly:SigningKey")));
    }

    [Fact]
    public async Task The_overlay_maps_onto_the_funnel_with_its_mark_after_the_file_and_before_the_environment()
    {
        var config = Path.Combine(folder, "able.json");
        File.Copy(Path.Combine(RepositoryRoot.Path, "config", "able.json"), config);
        var mark = new ConfigurationBuilder().AddJsonFile(config).Build()["Able:Funnels:0:Mark"]!;
        await new SecretsOverlayFile(Path.Combine(folder, "able.secrets.json")).SetAsync(mark.ToUpperInvariant(), new Dictionary<string, string?>
        {
            ["Calendly:SigningKey"] = "overlay-key",
            ["Mark"] = "renamed",
        });
        await new SecretsOverlayFile(Path.Combine(folder, "able.secrets.json")).SetAsync("no-such-funnel", new Dictionary<string, string?> { ["ApiKey"] = "x" });

        var configuration = new ConfigurationManager();
        configuration.UseAbleSources(["--config", config]);
        var options = Able.Hosting.AbleHost.ReadValidated(configuration, ServiceSections.Both);
        Assert.Equal("overlay-key", options.Funnels[0].Calendly.SigningKey);
        Assert.Equal(mark, options.Funnels[0].Mark);

        var elsewhere = Path.Combine(folder, "elsewhere.json");
        await new SecretsOverlayFile(elsewhere).SetAsync(mark, new Dictionary<string, string?> { ["Calendly:SigningKey"] = "elsewhere-key" });
        var chosen = new ConfigurationManager();
        chosen.UseAbleSources(["--config", config, "--secrets", elsewhere]);
        Assert.Equal("elsewhere-key", Able.Hosting.AbleHost.ReadValidated(chosen, ServiceSections.Both).Funnels[0].Calendly.SigningKey);
    }

    [Fact]
    public async Task A_broken_overlay_stops_the_start_with_its_path_named()
    {
        var config = Path.Combine(folder, "able.json");
        File.Copy(Path.Combine(RepositoryRoot.Path, "config", "able.json"), config);
        await File.WriteAllTextAsync(Path.Combine(folder, "able.secrets.json"), "{\"Funnels\": 3}");
        var error = Assert.Throws<InvalidDataException>(() => new ConfigurationManager().UseAbleSources(["--config", config]));
        Assert.Contains("able.secrets.json", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_overlay_in_a_folder_that_does_not_exist_is_a_configuration_error_naming_it()
    {
        var config = Path.Combine(folder, "able.json");
        File.Copy(Path.Combine(RepositoryRoot.Path, "config", "able.json"), config);
        var missing = Path.Combine(folder, "no-such-folder", "able.secrets.json");
        var error = Assert.Throws<FileNotFoundException>(() => new ConfigurationManager().UseAbleSources(["--config", config, "--secrets", missing]));
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.Contains("--secrets", AbleHostMessage(error), StringComparison.Ordinal);
    }

    private static string AbleHostMessage(Exception error) => Able.Hosting.AbleHost.DescribeConfigurationError(error);
}
