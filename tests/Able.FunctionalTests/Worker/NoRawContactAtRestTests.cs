using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Able.Attribution.Conversions;
using Able.Attribution.Receipts;
using Able.Attribution.Signatures;
using Able.Schema.Configuration;
using Able.Schema.Redis;
using Able.Schema.Visitors;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Able.FunctionalTests.Worker;

/// <summary>
/// The product promise (README, "Privacy: what is stored at rest"): after the whole pipeline, Redis holds no raw email,
/// phone number, name or free-text answer, in any key, in any form, and neither does its append-only file.
/// </summary>
public sealed partial class NoRawContactAtRestTests
{
    private const string CalendlyKey = "privacy-calendly-key";
    private const string StripeSecret = "whsec_privacy";
    private const string ApiKey = "privacy-api-key";
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    /// <summary>A conversions-API item with raw contact data in the forms callers send.</summary>
    private const string ApiConversion =
        """{"funnel":"acme","event":"Purchase","event_id":"api-privacy-1","email":"Pat.Api@Example.COM","phone":"+44 20 7946 0958","external_id":"crm-privacy-42","value":99.5,"currency":"GBP","first_name":"Patricia","answer":"Call me after five","url":"https://shop.example.test/thanks?utm_source=tiktok&email=pat.url%40example.com&invitee_full_name=Pat+Urlson"}""";

    [Fact]
    public async Task After_every_fixture_and_a_conversion_went_through_no_key_and_no_file_of_redis_holds_raw_contact_data()
    {
        await using var redis = await RedisServerProcess.StartAsync("--appendonly", "yes");
        await using var tikTok = await FakeTikTok.StartAsync();
        using var config = Configure(TestConfig.Create(redis.ConnectionString), tikTok);
        var keys = new RedisKeys(config.KeyPrefix);
        await using var connection = await ConnectionMultiplexer.ConnectAsync($"{redis.ConnectionString},allowAdmin=true");
        var db = connection.GetDatabase();
        var now = DateTimeOffset.UtcNow;
        var vid = VisitorId.New();
        await WorkerTestData.WriteVisitorAsync(db, keys, vid, "E.C.P.privacy", now.AddMinutes(-5), "203.0.113.60");
        // One booking whose carried visitor key holds a string (WRONGTYPE at every read): it ends as a poison dead letter.
        var broken = VisitorId.New();
        await db.StringSetAsync(keys.Visitor(broken), "not a visitor hash");
        await using var service = await RunningService.StartAttributionAsync(config);
        var funnel = new FunnelOptions { Mark = "acme", Hosts = ["book.example.com"], DefaultPhoneRegion = "DE" };

        var sent = new List<(string Source, string Body)>();
        foreach (var (source, file) in Fixtures.All().Select(row => ((string)row[0], (string)row[1])))
        {
            sent.Add((source, ToNow(Fixtures.Read($"{source}/{file}", vid), now)));
        }

        var poison = ToNow(Fixtures.Read("calendly/invitee-created-free.json", broken), now)
            .Replace("c3e9d0f2-71aa-4b8e-8e25-4a6f0b9d2c71", "0d0d0d0d-9999-4999-8999-999999999999", StringComparison.Ordinal);
        foreach (var (source, body) in sent.Append(("calendly", poison)))
        {
            Assert.Equal(HttpStatusCode.Accepted, await WebhookAsync(service, source, body));
        }

        Assert.Equal(HttpStatusCode.Accepted, await ConversionsAsync(service, ApiConversion));

        // Every conversion reaches its outcome: sent to TikTok or recorded; the poison booking is dead-lettered.
        var receipts = service.Services.GetRequiredService<ReceiptStore>();
        var expected = sent.Select(s => ConversionClassifier.Classify(s.Source, "", Encoding.UTF8.GetBytes(s.Body), funnel).ReceiptId).Append("api-privacy-1").ToList();
        Assert.Equal(expected.Count, expected.Distinct(StringComparer.Ordinal).Count());
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            foreach (var id in expected)
            {
                if ((await receipts.GetAsync("acme", id))?.Status is not (ReceiptStatus.Sent or ReceiptStatus.Recorded))
                {
                    return false;
                }
            }

            return await db.StreamLengthAsync(keys.DeadLetterStream) == 1;
        }, Within), "every fixture reaches its outcome and the poison booking its dead letter");
        Assert.Equal(7, tikTok.Accepted.Count);
        // No visitor: the page URL TikTok gets is the caller's, without its personal parameters.
        var api = Assert.Single(tikTok.Accepted, e => (string?)e["event_id"] == "api-privacy-1");
        Assert.Equal("https://shop.example.test/thanks?utm_source=tiktok", (string?)api["page"]!["url"]);
        Assert.Empty(tikTok.Violations);

        var forbidden = sent.Select(s => s.Body).Append(poison).Append(ApiConversion)
            .SelectMany(body => RawContactData.In(body, "DE", "US")).Append((Kind: "external_id", Value: "crm-privacy-42"))
            // The page URL's personal query parameters, in the percent-encoded form a URL would keep them.
            .Concat(new (string Kind, string Value)[] { ("email", "pat.url%40example.com"), ("email", "pat.url@example.com"), ("name", "Pat+Urlson"), ("name", "Urlson") })
            .Distinct().ToList();
        // The derivation finds every kind the promise names, in the bodies as sent.
        Assert.Equal(["answer", "email", "external_id", "name", "phone"], forbidden.Select(f => f.Kind).Distinct().Order(StringComparer.Ordinal));
        Assert.Contains(("name", "Patricia"), forbidden);
        Assert.Contains(("answer", "https://acme.example"), forbidden);
        Assert.Contains(("email", "Jane.Doe@Example.com"), forbidden);
        Assert.Contains(("phone", "+4915112345678"), forbidden);
        Assert.Contains(("phone", "2133734253"), forbidden);

        var dump = await DumpAsync(connection, redis);
        Assert.Contains(dump, d => d.Place.StartsWith(keys.IngestStream.ToString(), StringComparison.Ordinal));
        Assert.Contains(dump, d => d.Place.StartsWith(keys.DeadLetterStream.ToString(), StringComparison.Ordinal) && d.Text.Contains("entry.", StringComparison.Ordinal));
        Assert.Contains(dump, d => d.Place.StartsWith("file ", StringComparison.Ordinal));
        var found = (
            from item in dump
            from value in forbidden
            where RawContactData.Holds(item.Text, value.Kind, value.Value)
            select $"{value.Kind} '{value.Value}' in {item.Place}").Distinct().ToList();
        Assert.True(found.Count == 0, "raw contact data at rest:\n" + string.Join('\n', found.Take(40)));
    }

    /// <summary>Every key of the server (its name and whole value, whatever its type) and every file of its data folder.</summary>
    private static async Task<List<(string Place, string Text)>> DumpAsync(ConnectionMultiplexer connection, RedisServerProcess redis)
    {
        var server = connection.GetServer(redis.ConnectionString);
        var db = connection.GetDatabase();
        var dump = new List<(string Place, string Text)>();
        await foreach (var key in server.KeysAsync(pattern: "*", pageSize: 200))
        {
            dump.Add((key.ToString(), await RedisDump.TextAsync(db, key)));
        }

        var directory = (await server.ConfigGetAsync("dir")).Single().Value;
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            dump.Add(($"file {Path.GetFileName(file)}", Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file))));
        }

        return dump;
    }

    private static TestConfig Configure(TestConfig config, FakeTikTok tikTok)
    {
        config.Able["Worker"] = new JsonObject
        {
            ["TikTokBaseUrl"] = tikTok.BaseUrl.ToString(),
            ["RequestTimeoutMilliseconds"] = 1000,
            ["FlushIntervalMilliseconds"] = 50,
            ["PollIntervalMilliseconds"] = 50,
            ["GracePeriodSeconds"] = 0,
            ["ClaimIdleSeconds"] = 2,
            ["MaxIngestAttempts"] = 2,
        };
        config.Funnel["DefaultPhoneRegion"] = "DE";
        config.Funnel["Calendly"] = new JsonObject { ["SigningKey"] = CalendlyKey };
        config.Funnel["Stripe"] = new JsonObject { ["WebhookSecret"] = StripeSecret };
        config.Funnel["ApiKey"] = ApiKey;
        config.Funnel["TikTok"] = new JsonObject { ["PixelId"] = "CTESTPIXEL0000000000", ["AccessToken"] = "privacy-token", ["ClickWindowDays"] = 28 };
        return config;
    }

    private static async Task<HttpStatusCode> WebhookAsync(RunningService service, string source, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(service.PublicBase, $"/{source}-webhook/acme"))
        {
            Content = new ByteArrayContent(bytes),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation(
            source == "stripe" ? "Stripe-Signature" : "Calendly-Webhook-Signature",
            WebhookSignature.Sign(bytes, source == "stripe" ? StripeSecret : CalendlyKey, DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        using var response = await service.Client.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<HttpStatusCode> ConversionsAsync(RunningService service, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(service.PublicBase, "/v1/conversions"))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        using var response = await service.Client.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>The fixture's fixed March 2026 times moved to <paramref name="now"/> (ISO times and Stripe's Unix <c>created</c>).</summary>
    private static string ToNow(string fixture, DateTimeOffset now)
    {
        var iso = IsoTime().Replace(fixture, now.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
        return UnixCreated().Replace(iso, $"\"created\": {now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}");
    }

    [GeneratedRegex(@"2026-03-0\dT\d\d:\d\d:\d\d(\.\d+)?Z")]
    private static partial Regex IsoTime();

    [GeneratedRegex(@"""created"": \d{10}")]
    private static partial Regex UnixCreated();
}
