using Able.Gateway.Acme;
using Able.Schema.Configuration;
using CsCheck;

namespace Able.Tests.Acme;

/// <summary>The certbot command lines <c>./able certs</c> builds (what <c>--dry-run</c> prints), and its argument and output parsing.</summary>
public sealed class CertbotPlanTests
{
    private static readonly CertbotDirectories Directories = new("/var/tmp/certbot-work", "/var/tmp/certbot-logs");

    private static AbleOptions Options(string? email = null, string directory = "https://acme.example.net/dir", params FunnelOptions[] funnels) => new()
    {
        Gateway = new GatewayOptions
        {
            Tls = new GatewayTlsOptions
            {
                Enabled = true,
                CertificateDirectory = "/etc/able/certificates",
                AcmeWebroot = "/var/lib/able/acme-webroot",
                Acme = new AcmeOptions { Directory = directory, Email = email },
            },
        },
        Funnels = funnels,
    };

    private static FunnelOptions Funnel(string mark, params string[] hosts) => new() { Mark = mark, Hosts = hosts };

    [Fact]
    public void One_certbot_certonly_per_funnel_named_after_its_mark_with_its_hosts()
    {
        var plans = CertbotPlan.Build(
            Options("ops@example.com", "https://acme.example.net/dir", Funnel("acme", "book.acme.com", "www.acme.com"), Funnel("zeta", "zeta.io")),
            Directories, []);

        Assert.Equal(["acme", "zeta"], plans.Select(p => p.Mark));
        Assert.Equal(
        [
            "certonly", "--webroot", "-w", "/var/lib/able/acme-webroot", "--config-dir", "/etc/able/certificates",
            "--work-dir", "/var/tmp/certbot-work", "--logs-dir", "/var/tmp/certbot-logs",
            "--server", "https://acme.example.net/dir", "--non-interactive", "--agree-tos", "--email", "ops@example.com",
            "--cert-name", "acme", "-d", "book.acme.com", "-d", "www.acme.com", "--keep-until-expiring", "--expand",
        ], plans[0].Arguments);
        Assert.Equal(["-d", "zeta.io"], plans[1].Arguments!.SkipWhile(a => a != "-d").TakeWhile(a => a != "--keep-until-expiring"));
        Assert.Contains("zeta", plans[1].Arguments!);
        Assert.DoesNotContain("--deploy-hook", plans[0].Arguments!);
    }

    [Fact]
    public void Hosts_lose_their_port_and_case_and_are_listed_once()
    {
        var plan = CertbotPlan.Build(Options(funnels: Funnel("acme", "Book.Acme.com:8080", "book.acme.com", "book.acme.com.", "BOOK.ACME.COM:443")), Directories, [])[0];

        Assert.Equal(["book.acme.com"], plan.Hosts);
        Assert.Single(plan.Arguments!, a => a == "-d");
        Assert.Empty(plan.Skipped);
    }

    [Theory]
    [InlineData("localhost", "localhost")]
    [InlineData("localhost:8080", "localhost")]
    [InlineData("app.localhost", "localhost")]
    [InlineData("127.0.0.1", "an IP address")]
    [InlineData("127.0.0.1:8080", "an IP address")]
    [InlineData("10.1.2.3", "an IP address")]
    [InlineData("::1", "an IPv6 address")]
    [InlineData("[2001:db8::7]:443", "an IPv6 address")]
    [InlineData("*.acme.com", "a wildcard")]
    [InlineData("intranet", "a single-label name")]
    [InlineData("", "empty host name")]
    [InlineData(":8080", "empty host name")]
    public void Hosts_no_public_CA_certifies_by_HTTP01_are_skipped_with_the_reason(string host, string reason)
    {
        var plan = CertbotPlan.Build(Options(funnels: Funnel("acme", "book.acme.com", host)), Directories, [])[0];

        var skipped = Assert.Single(plan.Skipped);
        Assert.Equal(host, skipped.Host);
        Assert.StartsWith(reason, skipped.Reason, StringComparison.Ordinal);
        Assert.Equal(["book.acme.com"], plan.Hosts);
    }

    [Fact]
    public void A_funnel_with_only_local_hosts_gets_no_certbot_run()
    {
        var plan = CertbotPlan.Build(Options(funnels: Funnel("demo", "localhost", "127.0.0.1")), Directories, [])[0];

        Assert.Null(plan.Arguments);
        Assert.Empty(plan.Hosts);
        Assert.Equal(2, plan.Skipped.Count);
    }

    [Fact]
    public void Without_an_email_the_account_is_registered_without_one()
    {
        var withNone = CertbotPlan.Build(Options(email: null, funnels: Funnel("acme", "acme.com")), Directories, [])[0].Arguments!;
        var withBlank = CertbotPlan.Build(Options(email: "  ", funnels: Funnel("acme", "acme.com")), Directories, [])[0].Arguments!;
        var withOne = CertbotPlan.Build(Options(email: " ops@acme.com ", funnels: Funnel("acme", "acme.com")), Directories, [])[0].Arguments!;

        Assert.Contains("--register-unsafely-without-email", withNone);
        Assert.DoesNotContain("--email", withNone);
        Assert.Contains("--register-unsafely-without-email", withBlank);
        Assert.Equal("ops@acme.com", withOne[withOne.ToList().IndexOf("--email") + 1]);
        Assert.DoesNotContain("--register-unsafely-without-email", withOne);
    }

    [Fact]
    public void The_configured_ACME_directory_is_the_server()
    {
        var arguments = CertbotPlan.Build(Options(directory: "https://127.0.0.1:14000/dir", funnels: Funnel("acme", "acme.com")), Directories, [])[0].Arguments!.ToList();

        Assert.Equal("https://127.0.0.1:14000/dir", arguments[arguments.IndexOf("--server") + 1]);
        Assert.Single(arguments, a => a == "--server");
    }

    [Fact]
    public void Relative_folders_become_absolute_and_certbots_defaults_are_left_alone_when_no_work_or_logs_folder_is_given()
    {
        var options = Options(funnels: Funnel("acme", "acme.com")) with { };
        options = options with { Gateway = options.Gateway with { Tls = options.Gateway.Tls with { CertificateDirectory = "certs", AcmeWebroot = "webroot" } } };

        var arguments = CertbotPlan.Build(options, new CertbotDirectories(null, null), [])[0].Arguments!.ToList();

        Assert.Equal(Path.GetFullPath("certs"), arguments[arguments.IndexOf("--config-dir") + 1]);
        Assert.Equal(Path.GetFullPath("webroot"), arguments[arguments.IndexOf("-w") + 1]);
        Assert.DoesNotContain("--work-dir", arguments);
        Assert.DoesNotContain("--logs-dir", arguments);
    }

    [Fact]
    public void Extra_arguments_go_last_and_a_work_or_logs_folder_given_there_wins()
    {
        var arguments = CertbotPlan.Build(Options(funnels: Funnel("acme", "acme.com")), Directories, ["--staging", "--work-dir", "/w", "--logs-dir=/l"])[0].Arguments!;

        Assert.Equal(["--staging", "--work-dir", "/w", "--logs-dir=/l"], arguments.TakeLast(4));
        Assert.Single(arguments, a => a == "--work-dir");
        Assert.DoesNotContain("/var/tmp/certbot-logs", arguments);
    }

    [Fact]
    public void Our_options_are_told_from_certbots()
    {
        Assert.True(CertbotCommand.TryParseArguments(["--staging", "--config", "a.json", "--dry-run", "--", "--dry-run", "--config", "x"],
            out var config, out var dryRun, out var certbot, out _));
        Assert.Equal("a.json", config);
        Assert.True(dryRun);
        Assert.Equal(["--staging", "--dry-run", "--config", "x"], certbot);

        Assert.True(CertbotCommand.TryParseArguments(["--config=b.json"], out config, out dryRun, out certbot, out _));
        Assert.Equal("b.json", config);
        Assert.False(dryRun);
        Assert.Empty(certbot);

        Assert.False(CertbotCommand.TryParseArguments(["--config"], out _, out _, out _, out var problem));
        Assert.Equal("--config needs a file", problem);
    }

    [Fact]
    public void The_printed_command_line_can_be_pasted_into_a_shell()
    {
        Assert.Equal("certbot certonly -w '/srv/my webroot' --email 'o'\\''brien@acme.com' -d acme.com",
            CertbotCommand.CommandLine("certbot", ["certonly", "-w", "/srv/my webroot", "--email", "o'brien@acme.com", "-d", "acme.com"]));
        Assert.Equal("certbot ''", CertbotCommand.CommandLine("certbot", [""]));
    }

    [Fact]
    public async Task A_configuration_that_is_not_valid_stops_before_certbot_with_exit_code_2()
    {
        var file = Path.Combine(Path.GetTempPath(), $"able-certs-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """{"Able":{"Gateway":{"Tls":{"Acme":{"Directory":"not a url"}}},"Funnels":[]}}""");
        try
        {
            using var output = new StringWriter();
            using var error = new StringWriter();
            var exitCode = await CertbotCommand.RunAsync(["--config", file], output, error, new CertbotRunSettings { Executable = "/nonexistent/certbot" });

            Assert.Equal(2, exitCode);
            Assert.Contains("Acme:Directory", error.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_missing_certbot_is_reported_with_how_to_install_it()
    {
        var file = Path.Combine(Path.GetTempPath(), $"able-certs-{Guid.NewGuid():N}.json");
        var folder = Directory.CreateTempSubdirectory("able-certs-").FullName;
        await File.WriteAllTextAsync(file, $$$"""
            {"Able":{"Gateway":{"Tls":{"Enabled":true,"CertificateDirectory":"{{{folder}}}/c","AcmeWebroot":"{{{folder}}}/w"}},
             "Funnels":[{"Mark":"acme","Hosts":["acme.com"],"Origin":"http://127.0.0.1:9","TikTok":{"PixelId":"CTESTPIXEL0000000000"}}]}}
            """);
        try
        {
            using var output = new StringWriter();
            var exitCode = await CertbotCommand.RunAsync(["--config", file], output, output,
                new CertbotRunSettings { Executable = "/nonexistent/certbot", Directories = new CertbotDirectories(null, null) });

            Assert.True(exitCode == CertbotCommand.CertbotMissingExitCode, output.ToString());
            Assert.Contains("funnel acme: FAILED for acme.com: cannot start /nonexistent/certbot", output.ToString(), StringComparison.Ordinal);
            Assert.Contains("sudo apt-get install -y certbot", output.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
            Directory.Delete(folder, recursive: true);
        }
    }

    // certbot 2.1.0's output when Pebble got a 404 for the challenge (from AcmeCertbotCommandTests).
    private const string ChallengeFailed = """
        Saving debug log to /tmp/certbot-logs/letsencrypt.log
        Requesting a certificate for broken.able-e2e.test

        Certbot failed to authenticate some domains (authenticator: webroot). The Certificate Authority reported these problems:
          Domain: broken.able-e2e.test
          Type:   unauthorized
          Detail: Non-200 status code from HTTP: http://broken.able-e2e.test:23655/.well-known/acme-challenge/onFc returned 404

        Hint: The Certificate Authority failed to download the temporary challenge files created by Certbot.

        Some challenges have failed.
        Ask for help or search for solutions at https://community.letsencrypt.org. See the logfile /tmp/certbot-logs/letsencrypt.log or re-run Certbot with -v for more details.
        """;

    [Fact]
    public void Certbots_reason_is_the_CAs_detail_per_domain()
    {
        Assert.Equal("broken.able-e2e.test: Non-200 status code from HTTP: http://broken.able-e2e.test:23655/.well-known/acme-challenge/onFc returned 404",
            CertbotOutput.FailureReason("", ChallengeFailed, 1));
    }

    [Fact]
    public void Without_a_CA_detail_the_reason_is_the_unexpected_error_or_the_first_line_that_says_something()
    {
        Assert.Equal("requests.exceptions.SSLError: certificate verify failed",
            CertbotOutput.FailureReason(null, "Saving debug log to x\nAn unexpected error occurred:\nrequests.exceptions.SSLError: certificate verify failed\nAsk for help", 1));
        Assert.Equal("Another instance of Certbot is already running.",
            CertbotOutput.FailureReason("", "Saving debug log to x\nAnother instance of Certbot is already running.\n", 1));
        Assert.Equal("certbot exited with code 3 and printed nothing useful", CertbotOutput.FailureReason(null, null, 3));
    }

    [Fact]
    public void Hostile_host_names_and_certbot_output_never_throw()
    {
        AdversarialInput.Text.Sample(text =>
        {
            var (host, reason) = CertbotPlan.Classify(text);
            Assert.True(host is null != (reason is null));
            Assert.NotNull(CertbotOutput.FailureReason(text, text, 1));
            Assert.NotNull(CertbotOutput.FailureReason("Domain: " + text, "Detail:" + text + "\nAn unexpected error occurred:", 1));
        }, iter: AdversarialInput.Iterations);
    }
}
