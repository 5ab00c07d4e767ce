using Able.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Able.Tests.Configuration;

public sealed class AbleOptionsValidationTests
{
    private static Dictionary<string, string?> ValidSettings() => new()
    {
        ["Able:Redis:Configuration"] = "localhost:6379",
        ["Able:Funnels:0:Mark"] = "acme",
        ["Able:Funnels:0:Hosts:0"] = "book.acme.example",
        ["Able:Funnels:0:Origin"] = "https://origin.acme.example",
        ["Able:Funnels:0:TikTok:PixelId"] = "CABCDEFGHIJKLMNOPQRS",
        ["Able:Funnels:0:Links:intro"] = "https://calendly.com/acme/intro",
    };

    private static IEnumerable<string> Failures(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        try
        {
            AbleHost.ReadValidated(configuration, ServiceSections.Both);
            return [];
        }
        catch (OptionsValidationException error)
        {
            return error.Failures;
        }
    }

    [Fact]
    public void The_shipped_config_file_binds_and_validates()
    {
        var path = Path.Combine(RepositoryRoot.Path, "config", "able.json");
        var configuration = new ConfigurationBuilder().AddJsonFile(path).Build();
        var options = AbleHost.ReadValidated(configuration, ServiceSections.Both);
        var demo = Assert.Single(options.Funnels);
        Assert.Equal("demo", demo.Mark);
        Assert.Contains("localhost", demo.Hosts);
        Assert.Equal("salesforce_uuid", demo.Calendly.CarrierParam);
        Assert.Equal(90, demo.RetentionDays);
        Assert.True(string.IsNullOrEmpty(demo.TikTok.AccessToken), "the demo funnel runs dry");
    }

    [Fact]
    public void Good_settings_bind_with_documented_defaults()
    {
        Assert.Empty(Failures(ValidSettings()));
        var options = AbleHost.ReadValidated(new ConfigurationBuilder().AddInMemoryCollection(ValidSettings()).Build(), ServiceSections.Both);
        var funnel = options.Funnels[0];
        Assert.Equal("able:", options.Redis.KeyPrefix);
        Assert.Equal(7, funnel.TikTok.ClickWindowDays);
        Assert.Equal(400, funnel.Cookie.MaxAgeDays);
        Assert.Equal("https://calendly.com/acme/intro", funnel.Links["intro"]);
        Assert.True(funnel.DecorateHtml);
    }

    public static TheoryData<string, string?, string> BadValues => new()
    {
        { "Able:Funnels:0:Hosts:0", null, "Able:Funnels:0:Hosts must not be empty" },
        { "Able:Funnels:0:Hosts:0", "https://book.acme.example/", "Able:Funnels:0:Hosts:0 must be a host name" },
        { "Able:Funnels:0:Origin", "origin.acme.example", "Able:Funnels:0:Origin must be an absolute http or https URL" },
        { "Able:Funnels:0:Origin", null, "Able:Funnels:0:Origin must not be empty" },
        { "Able:Funnels:0:Mark", "Acme Funnel", "Able:Funnels:0:Mark must be 1-40 characters" },
        { "Able:Funnels:0:RetentionDays", "0", "Able:Funnels:0:RetentionDays must be between 1 and 3650" },
        { "Able:Funnels:0:RetentionDays", "ninety", "Able:Funnels:0:RetentionDays" },
        { "Able:Funnels:0:TikTok:ClickWindowDays", "29", "Able:Funnels:0:TikTok:ClickWindowDays must be between 1 and 28" },
        { "Able:Funnels:0:TikTok:PixelId", "", "Able:Funnels:0:TikTok:PixelId must be set when" },
        { "Able:Funnels:0:Calendly:CarrierParam", "bad param", "Able:Funnels:0:Calendly:CarrierParam must be a query parameter name" },
        { "Able:Funnels:0:Calendly:DefaultBookingValue", "25", "Able:Funnels:0:Calendly:DefaultBookingCurrency must be an ISO 4217 code" },
        { "Able:Funnels:0:Cookie:MaxAgeDays", "401", "Able:Funnels:0:Cookie:MaxAgeDays must be between 1 and 400" },
        { "Able:Funnels:0:DefaultPhoneRegion", "usa", "Able:Funnels:0:DefaultPhoneRegion must be a two-letter country code" },
        { "Able:Funnels:0:Links:intro", "calendly.com/acme/intro", "Able:Funnels:0:Links:intro must be an absolute http or https URL" },
        { "Able:Funnels:0:Ga4:MeasurementId", "G-123", "Able:Funnels:0:Ga4 needs both MeasurementId and ApiSecret" },
        { "Able:Redis:KeyPrefix", "", "Able:Redis:KeyPrefix must be a non-empty prefix" },
        { "Able:Redis:Configuration", " ", "Able:Redis:Configuration must not be empty" },
        { "Able:Gateway:TrustedProxies:0", "10.0.0.0/33", "Able:Gateway:TrustedProxies:0 must be a CIDR" },
        { "Able:Gateway:ManagementUrl", "http://0.0.0.0:8080", "Able:Gateway:ManagementUrl must use a different port from Able:Gateway:PublicUrl" },
        { "Able:Attribution:PublicUrl", "tcp://0.0.0.0:8081", "Able:Attribution:PublicUrl must be an absolute http or https URL" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void Each_bad_value_gets_a_message_naming_its_key(string key, string? value, string expectedMessage)
    {
        var settings = ValidSettings();
        if (value is null)
        {
            settings.Remove(key);
        }
        else
        {
            settings[key] = value;
        }

        if (key == "Able:Funnels:0:TikTok:PixelId")
        {
            settings["Able:Funnels:0:TikTok:AccessToken"] = "token-without-pixel";
        }

        var failures = Failures(settings).ToList();
        Assert.Contains(failures, f => f.Contains(expectedMessage, StringComparison.Ordinal));
    }

    [Fact]
    public void A_key_that_names_no_setting_is_refused_as_a_probable_typo()
    {
        var settings = ValidSettings();
        settings["Able:Funnels:0:TikTok:PixelID_typo"] = "C123";
        var failures = Failures(settings).ToList();
        Assert.Contains(failures, f => f.Contains("PixelID_typo", StringComparison.Ordinal) && f.Contains("Able:Funnels:0", StringComparison.Ordinal));
    }

    [Fact]
    public void No_funnels_is_refused()
    {
        var failures = Failures(new Dictionary<string, string?> { ["Able:Redis:Configuration"] = "localhost" });
        Assert.Contains("Able:Funnels must list at least one funnel", failures);
    }

    [Fact]
    public void Two_funnels_cannot_share_a_mark_or_a_host()
    {
        var settings = ValidSettings();
        settings["Able:Funnels:1:Mark"] = "acme";
        settings["Able:Funnels:1:Hosts:0"] = "BOOK.acme.example";
        settings["Able:Funnels:1:Origin"] = "https://other.example";
        var failures = Failures(settings).ToList();
        Assert.Contains("Able:Funnels:1:Mark 'acme' is used by another funnel", failures);
        Assert.Contains("Able:Funnels:1:Hosts:0 'BOOK.acme.example' is already used by Able:Funnels:0", failures);
    }

    [Fact]
    public void Secrets_are_never_echoed_in_messages()
    {
        var settings = ValidSettings();
        settings["Able:Funnels:0:TikTok:PixelId"] = "";
        settings["Able:Funnels:0:TikTok:AccessToken"] = "super-secret-token-value";
        var failures = Failures(settings).ToList();
        Assert.NotEmpty(failures);
        Assert.DoesNotContain(failures, f => f.Contains("super-secret-token-value", StringComparison.Ordinal));
    }

    [Fact]
    public void Several_problems_are_reported_together()
    {
        var settings = ValidSettings();
        settings["Able:Funnels:0:Origin"] = "nope";
        settings["Able:Funnels:0:RetentionDays"] = "0";
        Assert.True(Failures(settings).Count() >= 2);
    }
}
