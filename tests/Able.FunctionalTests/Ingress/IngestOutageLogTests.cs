using System.Globalization;
using Able.Attribution.Ingest;
using Able.Attribution.Service.Ingress;
using Able.Schema.Configuration;
using Able.Schema.Redis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Able.FunctionalTests.Ingress;

/// <summary>
/// A Redis outage refuses every delivery with 503 (the senders retry); the log says so once when it starts and once
/// when it ends, with how many were refused, not once per refused delivery.
/// </summary>
public sealed class IngestOutageLogTests
{
    [Fact]
    public async Task An_outage_is_logged_once_when_it_starts_and_once_when_it_ends()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        using var connection = await ConnectionMultiplexer.ConnectAsync($"{redis.ConnectionString},abortConnect=false,connectTimeout=500,asyncTimeout=500");
        var logger = new FakeLogger<IngestWriter>();
        var writer = new IngestWriter(connection, new RedisKeys("t" + Guid.NewGuid().ToString("N")), new IngressFunnels(new FixedOptions()), TimeProvider.System, logger);
        IReadOnlyList<IngestItem> item = [new IngestItem("acme", "invitee.created", new IngestFacts { Malformed = "test" })];

        Assert.True(await writer.WriteAsync(IngestEntry.Sources.Calendly, item, CancellationToken.None));
        Assert.Empty(logger.Collector.GetSnapshot());

        var outage = System.Diagnostics.Stopwatch.StartNew();
        await redis.StopAsync();
        for (var i = 0; i < 5; i++)
        {
            Assert.False(await writer.WriteAsync(IngestEntry.Sources.Calendly, item, CancellationToken.None));
        }

        var duringOutage = logger.Collector.GetSnapshot();
        Assert.Single(duringOutage, r => r.Level == LogLevel.Warning);
        Assert.Equal(4, duringOutage.Count(r => r.Level == LogLevel.Debug));

        await redis.StartAgainAsync();
        var refusedAfterRestart = 0;
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            var written = await writer.WriteAsync(IngestEntry.Sources.Calendly, item, CancellationToken.None);
            refusedAfterRestart += written ? 0 : 1;
            return written;
        }, TimeSpan.FromSeconds(30)));

        var outageSeconds = outage.Elapsed.TotalSeconds;
        var records = logger.Collector.GetSnapshot();
        var started = Assert.Single(records, r => r.Level == LogLevel.Warning);
        Assert.All(records.Where(r => r.Level != LogLevel.Information), r => Assert.Matches("^(not connected|[A-Za-z]+Exception)$", r.GetStructuredStateValue("Reason")));
        var recovered = Assert.Single(records, r => r.Level == LogLevel.Information);
        Assert.Contains($"; {5 + refusedAfterRestart} deliveries were answered 503", recovered.Message, StringComparison.Ordinal);
        Assert.InRange(double.Parse(recovered.GetStructuredStateValue("OutageSeconds")!, CultureInfo.InvariantCulture), 0, outageSeconds);
        Assert.Equal("acme", started.GetStructuredStateValue("Funnel"));

        Assert.True(await writer.WriteAsync(IngestEntry.Sources.Calendly, item, CancellationToken.None));
        Assert.Single(logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Information);

        // A second outage, ended by a batch (one MULTI/EXEC): logged the same way.
        await redis.StopAsync();
        Assert.False(await writer.WriteAsync(IngestEntry.Sources.ConversionsApi, [item[0], item[0]], CancellationToken.None));
        await redis.StartAgainAsync();
        Assert.True(await Eventually.TrueAsync(
            () => writer.WriteAsync(IngestEntry.Sources.ConversionsApi, [item[0], item[0]], CancellationToken.None), TimeSpan.FromSeconds(30)));
        records = logger.Collector.GetSnapshot();
        Assert.Equal(2, records.Count(r => r.Level == LogLevel.Warning));
        Assert.Equal(2, records.Count(r => r.Level == LogLevel.Information));
    }

    private sealed class FixedOptions : IOptionsMonitor<AbleOptions>
    {
        public AbleOptions CurrentValue { get; } = new();

        public AbleOptions Get(string? name) => CurrentValue;

        public IDisposable? OnChange(Action<AbleOptions, string?> listener) => null;
    }
}
