using Able.Attribution.Conversions;
using Able.Attribution.Visitors;
using Able.Gateway.Capture;
using Able.Schema.Configuration;
using Able.Schema.Identity;
using Able.Schema.Redis;
using Able.Schema.Visitors;
using Able.Supervision;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Prometheus;
using StackExchange.Redis;

namespace Able.FunctionalTests.Visitors;

/// <summary>
/// The visitor hash's contact-hash fields (<c>em</c>, <c>ph</c>) have two writers: the gateway's capture writer
/// (a booking confirmation links an email) and the worker's <see cref="VisitorResolver.RecordContactsAsync"/>
/// (a conversion's email and phone). Both add to the same comma-separated set, so neither may overwrite a hash
/// the other added meanwhile. Runs the real <see cref="CaptureWriter"/> and the real resolver against a real Redis.
/// </summary>
public sealed class ContactHashRaceTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task An_email_the_gateway_links_between_the_resolvers_read_and_its_write_is_kept()
    {
        var redis = await RedisTestServer.GetAsync();
        var keys = new RedisKeys(RedisTestServer.NewKeyPrefix());
        var db = redis.Multiplexer.GetDatabase();
        var vid = VisitorId.New();
        await WorkerTestData.WriteVisitorAsync(db, keys, vid, "E.C.P.race", DateTimeOffset.UtcNow.AddMinutes(-5), "203.0.113.70");
        var resolver = new VisitorResolver(redis.Multiplexer, keys);
        var fromWorker = ContactHashing.Sha256Hex("worker@example.com");
        var fromGateway = ContactHashing.Sha256Hex("gateway@example.com");

        // The worker resolves the booking by its carrier: this reads the visitor hash, no contact hashes yet.
        var conversion = Booking(vid, [fromWorker], []);
        var resolution = await resolver.ResolveAsync(conversion);
        Assert.Equal(vid, resolution.Visitor?.VisitorId);
        Assert.Empty(resolution.Visitor!.EmailHashes);

        // Meanwhile the gateway writes the visitor's booking confirmation, which links another email.
        await using (var gateway = await CaptureWriterUnderTest.StartAsync(redis.Multiplexer, keys))
        {
            gateway.Capture(vid, fromGateway);
            Assert.True(await Eventually.TrueAsync(async () => (await EmailHashesAsync(db, keys, vid)).Contains(fromGateway), Within));
        }

        // Then the worker records the conversion's contacts on the visitor it read before.
        await resolver.RecordContactsAsync(resolution.Visitor, conversion, TimeSpan.FromDays(30));

        var stored = await EmailHashesAsync(db, keys, vid);
        Assert.Contains(fromGateway, stored);
        Assert.Contains(fromWorker, stored);
        Assert.Equal(2, stored.Length);
    }

    [Fact]
    public async Task Concurrent_gateway_captures_and_worker_conversions_on_one_visitor_keep_every_contact_hash()
    {
        const int Conversions = 120;
        const int Captures = 120;
        var redis = await RedisTestServer.GetAsync();
        var keys = new RedisKeys(RedisTestServer.NewKeyPrefix());
        var db = redis.Multiplexer.GetDatabase();
        var vid = VisitorId.New();
        await WorkerTestData.WriteVisitorAsync(db, keys, vid, "E.C.P.crowd", DateTimeOffset.UtcNow.AddMinutes(-5), "203.0.113.71");
        var resolver = new VisitorResolver(redis.Multiplexer, keys);
        var workerEmails = Enumerable.Range(0, Conversions).Select(i => ContactHashing.Sha256Hex($"worker{i}@example.com")).ToArray();
        var workerPhones = Enumerable.Range(0, Conversions).Select(i => ContactHashing.Sha256Hex($"+4930{i:D7}")).ToArray();
        var gatewayEmails = Enumerable.Range(0, Captures).Select(i => ContactHashing.Sha256Hex($"gateway{i}@example.com")).ToArray();

        await using (var gateway = await CaptureWriterUnderTest.StartAsync(redis.Multiplexer, keys))
        {
            // Conversions resolve and record in parallel (as several worker replicas would) while captures stream in.
            var worker = Task.WhenAll(Enumerable.Range(0, Conversions).Select(i => Task.Run(async () =>
            {
                var conversion = Booking(vid, [workerEmails[i]], [workerPhones[i]]);
                var resolution = await resolver.ResolveAsync(conversion);
                await resolver.RecordContactsAsync(resolution.Visitor!, conversion, TimeSpan.FromDays(30));
            })));
            var captures = Task.Run(async () =>
            {
                foreach (var hash in gatewayEmails)
                {
                    gateway.Capture(vid, hash);
                    await Task.Yield();
                }
            });
            await Task.WhenAll(worker, captures);
            // The writer sends each batch in order: the last capture's email link means every capture is written.
            Assert.True(await Eventually.TrueAsync(() => db.KeyExistsAsync(keys.EmailLink(gatewayEmails[^1])), Within));
        }

        var emails = await EmailHashesAsync(db, keys, vid);
        var phones = VisitorProfile.SplitHashes(await db.HashGetAsync(keys.Visitor(vid), VisitorFields.PhoneHashes));
        var lostEmails = workerEmails.Concat(gatewayEmails).Except(emails).Count();
        var lostPhones = workerPhones.Except(phones).Count();
        Assert.True(lostEmails == 0 && lostPhones == 0,
            $"lost {lostEmails} of {Conversions + Captures} email hashes and {lostPhones} of {Conversions} phone hashes");
        Assert.Equal(Conversions + Captures, emails.Length);
        Assert.Equal(Conversions, phones.Length);
    }

    private static async Task<string[]> EmailHashesAsync(IDatabase db, RedisKeys keys, string vid) =>
        VisitorProfile.SplitHashes(await db.HashGetAsync(keys.Visitor(vid), VisitorFields.EmailHashes));

    private static Conversion Booking(string vid, string[] emails, string[] phones) => new()
    {
        Mark = "acme",
        Source = "calendly",
        SourceEvent = "invitee.created",
        Decision = ConversionDecision.Send,
        ReceiptId = Guid.NewGuid().ToString("N"),
        CarriedVisitorId = vid,
        CarrierName = "salesforce_uuid",
        EmailHashes = emails,
        PhoneHashes = phones,
    };

    /// <summary>The gateway's real capture writer on its own queue, fed booking-confirmation captures.</summary>
    private sealed class CaptureWriterUnderTest : IAsyncDisposable
    {
        private readonly CaptureQueue queue;
        private readonly CaptureWriter writer;

        private CaptureWriterUnderTest(IConnectionMultiplexer redis, RedisKeys keys)
        {
            var options = Options.Create(new AbleOptions());
            var factory = Metrics.WithCustomRegistry(Metrics.NewCustomRegistry());
            var metrics = new CaptureMetrics(factory);
            queue = new CaptureQueue(options, metrics);
            writer = new CaptureWriter(queue, redis, keys, options, metrics, new LoopHealth(factory), TimeProvider.System, NullLogger<CaptureWriter>.Instance);
        }

        public static async Task<CaptureWriterUnderTest> StartAsync(IConnectionMultiplexer redis, RedisKeys keys)
        {
            var underTest = new CaptureWriterUnderTest(redis, keys);
            await underTest.writer.StartAsync(CancellationToken.None);
            return underTest;
        }

        public void Capture(string vid, string emailHash)
        {
            var touch = new VisitorTouch
            {
                Kind = "confirmation",
                At = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                Url = "https://book.example.com/thanks",
            };
            Assert.True(queue.TryEnqueue(new CaptureRecord(vid, "acme", touch, TimeSpan.FromDays(30), EmailHash: emailHash)));
        }

        public async ValueTask DisposeAsync()
        {
            // As on shutdown: the writer flushes what is queued, then ends.
            await writer.StoppedAsync(CancellationToken.None);
            writer.Dispose();
        }
    }
}
