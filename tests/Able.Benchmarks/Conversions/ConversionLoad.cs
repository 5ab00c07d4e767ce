using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Able.Attribution.Ingest;
using Able.Attribution.Signatures;
using StackExchange.Redis;

namespace Able.Benchmarks.Conversions;

/// <summary>
/// <c>conversions --redis HOST:PORT --attribution-dll PATH [--config PATH] [--count N] [--concurrency C] [--rate R]
/// [--seconds S] --out FILE.json</c>: end-to-end conversion throughput and ingress ack latency of the attribution
/// service, run as its own process against a fake TikTok on loopback (issue #13).
/// <para>
/// (a) Throughput: N signed Calendly <c>invitee.created</c> webhooks, each a distinct booking, sent as fast as the
/// ingress accepts them over C keep-alive HTTP/1.1 connections; conversions/s is N over the time from the first send
/// until the fake TikTok has accepted all N events (counted inside the batched <c>data</c> arrays). The ingress-only
/// rate is N over the time until the last 202. (b) Latency: open loop, R webhooks/s for S seconds, each sent at its
/// scheduled time whatever the earlier ones are doing; the ack time runs from the scheduled time to the response, so
/// a stall counts for every request it delays (no coordinated omission).
/// </para>
/// </summary>
internal static class ConversionLoad
{
    private const int WarmUpCount = 3000;

    private static readonly JsonSerializerOptions JsonOut = new() { WriteIndented = true };

    public static async Task<int> RunAsync(string[] args)
    {
        var options = Options.Parse(args);
        if (options is null)
        {
            Console.Error.WriteLine("usage: Able.Benchmarks conversions --redis HOST:PORT --attribution-dll PATH [--config PATH] "
                + "[--count 20000] [--concurrency 64] [--rate 1000] [--seconds 10] --out FILE.json");
            return 64;
        }

        var parseCost = MeasureIngressSteps();
        Console.WriteLine("ingress steps, µs per webhook in this process: " + string.Join(", ", parseCost.Select(c => $"{c.Key} {c.Value}")));
        await using var tikTok = await BenchTikTok.StartAsync();
        await using var service = await AttributionChild.StartAsync(options.AttributionDll, options.Config, options.Redis, tikTok.BaseUrl,
            new Dictionary<string, string>(StringComparer.Ordinal) { ["DOTNET_PerfMapEnabled"] = options.PerfMap ? "1" : "0" });
        using var redis = await ConnectionMultiplexer.ConnectAsync(options.Redis + ",allowAdmin=true");
        using var client = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Math.Max(options.Concurrency, 128),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseCookies = false,
            AllowAutoRedirect = false,
        })
        {
            Timeout = TimeSpan.FromSeconds(30),
            DefaultRequestVersion = HttpVersion.Version11,
        };
        var url = new Uri(service.PublicBase, $"/calendly-webhook/{AttributionChild.Mark}");
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        var notes = new List<string>
        {
            $"attribution service pid {service.ProcessId} on {Environment.ProcessorCount} cores; Redis {options.Redis}, key prefix {service.KeyPrefix}",
            "walk-in bookings (no visitor to resolve), Able:Worker:GracePeriodSeconds 0, one funnel with a TikTok access token",
        };

        result["ingressStepMicroseconds"] = parseCost;
        // Long enough for tiered compilation to reach optimized code on a busy 2-core machine: after 500 webhooks a
        // profile showed most of the ingress and worker still running tier-0 (QuickJitted) code and 10 % of samples in the JIT.
        Console.WriteLine($"warm-up: {WarmUpCount} webhooks");
        await WarmUpAsync(client, url, tikTok);
        await Task.Delay(TimeSpan.FromSeconds(2));

        if (options.Count > 0)
        {
            Console.WriteLine($"throughput: {options.Count} webhooks over {options.Concurrency} connections");
            var before = await CommandStatsAsync(redis);
            var cpuBefore = (Service: ProcessCpu(service.ProcessId), Driver: ProcessCpu(Environment.ProcessId), Redis: await RedisCpuAsync(redis));
            var bodies = Enumerable.Range(0, options.Count).Select(i => Body("t", i)).ToArray();
            var allIn = tikTok.Expect(options.Count);
            var started = Stopwatch.GetTimestamp();
            var (accepted, refused) = await SendClosedLoopAsync(client, url, bodies, options.Concurrency);
            var ingressDone = Stopwatch.GetTimestamp();
            var timeout = TimeSpan.FromSeconds(Math.Max(60, options.Count / 200.0));
            var finished = await Task.WhenAny(allIn, Task.Delay(timeout)) == allIn;
            var ingressSeconds = Stopwatch.GetElapsedTime(started, ingressDone).TotalSeconds;
            result["count"] = options.Count;
            result["ingressAcceptsPerSecond"] = Math.Round(accepted / ingressSeconds, 1);
            if (finished)
            {
                var seconds = Stopwatch.GetElapsedTime(started, tikTok.ReachedAt).TotalSeconds;
                result["conversionsPerSecond"] = Math.Round(options.Count / seconds, 1);
                result["endToEndSeconds"] = Math.Round(seconds, 3);
            }
            else
            {
                result["conversionsPerSecond"] = null;
                notes.Add($"throughput: only {tikTok.DistinctEvents} of {options.Count} events reached TikTok within {timeout.TotalSeconds} s");
            }

            // Give stragglers (late duplicates) a moment to show before counting commands.
            await Task.Delay(500);
            var after = await CommandStatsAsync(redis);
            // CPU time per conversion is far less noisy than rates on a shared machine: capacity ≈ cores / the sum.
            result["serviceCpuMsPerConversion"] = Math.Round((ProcessCpu(service.ProcessId) - cpuBefore.Service).TotalMilliseconds / options.Count, 3);
            result["redisCpuMsPerConversion"] = Math.Round((await RedisCpuAsync(redis) - cpuBefore.Redis) * 1000 / options.Count, 3);
            result["driverCpuMsPerConversion"] = Math.Round((ProcessCpu(Environment.ProcessId) - cpuBefore.Driver).TotalMilliseconds / options.Count, 3);
            var perConversion = after.ToDictionary(c => c.Key, c => (after[c.Key] - before.GetValueOrDefault(c.Key)) / (double)options.Count, StringComparer.Ordinal);
            result["redisCommandsPerConversion"] = Math.Round(perConversion.Values.Sum(), 2);
            result["redisCommandsPerConversionByCommand"] = perConversion.Where(c => c.Value >= 0.005)
                .OrderByDescending(c => c.Value).ToDictionary(c => c.Key, c => Math.Round(c.Value, 3), StringComparer.Ordinal);
            result["ingressRefused"] = refused;
            result["tikTokRequests"] = tikTok.Requests;
            result["tikTokDuplicates"] = tikTok.Duplicates;
            result["tikTokViolations"] = tikTok.Violations;
            Console.WriteLine($"  ingress {result["ingressAcceptsPerSecond"]}/s; end to end {result["conversionsPerSecond"] ?? "n/a"} conversions/s; "
                + $"{result["redisCommandsPerConversion"]} Redis commands per conversion; duplicates at TikTok {tikTok.Duplicates}");
            Console.WriteLine($"  CPU ms per conversion: service {result["serviceCpuMsPerConversion"]}, Redis {result["redisCpuMsPerConversion"]}, "
                + $"driver and fake TikTok {result["driverCpuMsPerConversion"]}");
        }

        if (options.Seconds > 0)
        {
            var total = (int)(options.Rate * options.Seconds);
            Console.WriteLine($"latency: open loop, {options.Rate} webhooks/s for {options.Seconds} s ({total} webhooks)");
            var bodies = Enumerable.Range(0, total).Select(i => Body("l", i)).ToArray();
            var allIn = tikTok.Expect(total);
            var (ackMs, failed, actualRate) = await SendOpenLoopAsync(client, url, bodies, options.Rate);
            Array.Sort(ackMs);
            result["ackP50Ms"] = Math.Round(Percentile(ackMs, 0.50), 2);
            result["ackP99Ms"] = Math.Round(Percentile(ackMs, 0.99), 2);
            result["ackP999Ms"] = Math.Round(Percentile(ackMs, 0.999), 2);
            result["ackMaxMs"] = Math.Round(ackMs.Length == 0 ? 0 : ackMs[^1], 2);
            result["ackRatePerSecond"] = Math.Round(actualRate, 1);
            result["ackFailed"] = failed;
            var drained = await Task.WhenAny(allIn, Task.Delay(TimeSpan.FromSeconds(60))) == allIn;
            result["latencyPhaseAllDelivered"] = drained;
            Console.WriteLine($"  ack p50 {result["ackP50Ms"]} ms, p99 {result["ackP99Ms"]} ms, max {result["ackMaxMs"]} ms at {result["ackRatePerSecond"]}/s; "
                + $"failed {failed}; all delivered: {drained}");
        }

        result["notes"] = string.Join("; ", notes);
        await File.WriteAllTextAsync(options.Out, JsonSerializer.Serialize(result, JsonOut));
        Console.WriteLine($"wrote {options.Out}");
        return 0;
    }

    /// <summary>
    /// CPU cost of the ingress's steps on one bench body, single-threaded in this process (before anything else runs):
    /// the signature check, the envelope check (the first parse), the facts (the second parse, with hashing) and their
    /// stored JSON. Says whether parsing each webhook twice matters beside the rest.
    /// </summary>
    private static Dictionary<string, double> MeasureIngressSteps()
    {
        const int iterations = 20_000;
        var body = (ReadOnlyMemory<byte>)Body("p", 0);
        var header = WebhookSignature.Sign(body.Span, AttributionChild.SigningKey, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var steps = new Dictionary<string, Action>(StringComparer.Ordinal)
        {
            ["signature"] = () => WebhookSignature.Verify(body.Span, header, AttributionChild.SigningKey, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)),
            ["envelope"] = () => WebhookEnvelope.CheckCalendly(body),
            ["facts"] = () => IngestFacts.Parse(IngestEntry.Sources.Calendly, body, "US"),
            ["factsJson"] = () => IngestFacts.Parse(IngestEntry.Sources.Calendly, body, "US").ToUtf8Json(),
        };
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, step) in steps)
        {
            for (var i = 0; i < 2_000; i++)
            {
                step();
            }

            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < iterations; i++)
            {
                step();
            }

            result[name] = Math.Round(Stopwatch.GetElapsedTime(started).TotalMicroseconds / iterations, 2);
        }

        // factsJson includes the parse: report the serialisation alone.
        result["factsJson"] = Math.Round(Math.Max(0, result["factsJson"] - result["facts"]), 2);
        return result;
    }

    private static async Task WarmUpAsync(HttpClient client, Uri url, BenchTikTok tikTok)
    {
        var bodies = Enumerable.Range(0, WarmUpCount).Select(i => Body("w", i)).ToArray();
        var allIn = tikTok.Expect(bodies.Length);
        await SendClosedLoopAsync(client, url, bodies, 16);
        if (await Task.WhenAny(allIn, Task.Delay(TimeSpan.FromSeconds(120))) != allIn)
        {
            throw new InvalidOperationException($"warm-up: only {tikTok.DistinctEvents} of {WarmUpCount} events reached the fake TikTok");
        }
    }

    /// <summary>Sends every body once over <paramref name="concurrency"/> connections, each waiting for its answer; returns 2xx and others.</summary>
    private static async Task<(int Accepted, int Refused)> SendClosedLoopAsync(HttpClient client, Uri url, byte[][] bodies, int concurrency)
    {
        var next = -1;
        var accepted = 0;
        var refused = 0;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < bodies.Length)
            {
                if (await PostAsync(client, url, bodies[index]))
                {
                    Interlocked.Increment(ref accepted);
                }
                else
                {
                    Interlocked.Increment(ref refused);
                }
            }
        })));
        return (accepted, refused);
    }

    /// <summary>
    /// Sends body i at start + i/rate from a dedicated thread, without waiting for earlier answers; each ack time runs from
    /// its scheduled time. Returns the ack times of the 2xx answers, how many failed, and the rate actually sent.
    /// </summary>
    private static async Task<(double[] AckMs, int Failed, double Rate)> SendOpenLoopAsync(HttpClient client, Uri url, byte[][] bodies, double rate)
    {
        var acks = new double[bodies.Length];
        var failed = 0;
        var sends = new Task[bodies.Length];
        var ticksPerRequest = Stopwatch.Frequency / rate;
        var start = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 10;
        var scheduler = new Thread(() =>
        {
            for (var i = 0; i < bodies.Length; i++)
            {
                var scheduled = start + (long)(i * ticksPerRequest);
                while (Stopwatch.GetTimestamp() is var now && now < scheduled)
                {
                    if ((scheduled - now) * 1000 / Stopwatch.Frequency >= 2)
                    {
                        Thread.Sleep(1);
                    }
                    else
                    {
                        Thread.Yield();
                    }
                }

                var index = i;
                sends[i] = Task.Run(async () =>
                {
                    var ok = await PostAsync(client, url, bodies[index]);
                    acks[index] = ok ? Stopwatch.GetElapsedTime(scheduled).TotalMilliseconds : double.NaN;
                    if (!ok)
                    {
                        Interlocked.Increment(ref failed);
                    }
                });
            }
        })
        { IsBackground = true, Name = "open-loop scheduler", Priority = ThreadPriority.AboveNormal };
        scheduler.Start();
        await Task.Run(scheduler.Join);
        var sentSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        await Task.WhenAll(sends);
        return ([.. acks.Where(a => !double.IsNaN(a))], failed, bodies.Length / sentSeconds);
    }

    private static async Task<bool> PostAsync(HttpClient client, Uri url, byte[] body)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body), Version = HttpVersion.Version11 };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            // Signed at the moment it is sent, as Calendly does.
            request.Headers.TryAddWithoutValidation("Calendly-Webhook-Signature",
                WebhookSignature.Sign(body, AttributionChild.SigningKey, DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead);
            return response.IsSuccessStatusCode;
        }
        catch (Exception error) when (error is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static TimeSpan ProcessCpu(int pid)
    {
        using var process = Process.GetProcessById(pid);
        return process.TotalProcessorTime;
    }

    /// <summary>Redis's CPU seconds since it started (<c>INFO cpu</c>: user plus system).</summary>
    private static async Task<double> RedisCpuAsync(ConnectionMultiplexer redis)
    {
        var info = (string?)await redis.GetDatabase().ExecuteAsync("INFO", "cpu") ?? "";
        double total = 0;
        foreach (var line in info.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon] is "used_cpu_sys" or "used_cpu_user"
                && double.TryParse(line.AsSpan(colon + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
            {
                total += seconds;
            }
        }

        return total;
    }

    /// <summary>Calls per command since Redis started (<c>INFO commandstats</c>).</summary>
    private static async Task<Dictionary<string, long>> CommandStatsAsync(ConnectionMultiplexer redis)
    {
        var info = (string?)await redis.GetDatabase().ExecuteAsync("INFO", "commandstats") ?? "";
        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in info.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            // cmdstat_xadd:calls=123,usec=456,...
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (!line.StartsWith("cmdstat_", StringComparison.Ordinal) || colon < 0)
            {
                continue;
            }

            var name = line[8..colon];
            var value = line[(colon + 1)..].Split(',')[0];
            if (value.StartsWith("calls=", StringComparison.Ordinal) && long.TryParse(value.AsSpan(6), CultureInfo.InvariantCulture, out var n))
            {
                calls[name] = n;
            }
        }

        return calls;
    }

    /// <summary>A Calendly <c>invitee.created</c> for a distinct walk-in booking (invitee and event URIs unique per run, phase and index).</summary>
    private static byte[] Body(string phase, int index)
    {
        var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        var invitee = $"{RunId}-{phase}-{index:D8}";
        var body = $$"""
            {"event":"invitee.created","created_at":"{{now}}","created_by":"https://api.calendly.com/users/bench-user",
             "payload":{"uri":"https://api.calendly.com/scheduled_events/ev-{{invitee}}/invitees/{{invitee}}",
              "email":"invitee.{{invitee}}@example.com","name":"Bench Invitee","first_name":"Bench","last_name":"Invitee",
              "status":"active","timezone":"Europe/Berlin","created_at":"{{now}}","updated_at":"{{now}}",
              "questions_and_answers":[{"question":"Company website","answer":"https://acme.example","position":0}],
              "text_reminder_number":"+1 415 555 {{index % 10000:D4}}",
              "tracking":{"utm_campaign":"bench","utm_source":"tiktok","utm_medium":"paid_social","utm_content":null,"utm_term":null,"salesforce_uuid":null},
              "rescheduled":false,"old_invitee":null,"new_invitee":null,"payment":null,"no_show":null,"reconfirmation":null,
              "cancel_url":"https://calendly.com/cancellations/{{invitee}}","reschedule_url":"https://calendly.com/reschedulings/{{invitee}}",
              "scheduled_event":{"uri":"https://api.calendly.com/scheduled_events/ev-{{invitee}}","name":"30 Minute Discovery Call",
               "status":"active","start_time":"{{now}}","end_time":"{{now}}",
               "event_type":"https://api.calendly.com/event_types/0b7e4c2d-9d15-4f63-8a0e-5c1d2e3f4a5b",
               "location":{"type":"google_conference","status":"pushed","join_url":"https://meet.google.com/abc-defg-hij"},
               "invitees_counter":{"total":1,"active":1,"limit":1},"created_at":"{{now}}","updated_at":"{{now}}",
               "event_memberships":[{"user":"https://api.calendly.com/users/bench-user","user_email":"sales@acme.example","user_name":"Max Sales"}],
               "event_guests":[]} } }
            """;
        return Encoding.UTF8.GetBytes(body);
    }

    private static readonly string RunId = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString("x", CultureInfo.InvariantCulture);

    private sealed record Options(string Redis, string AttributionDll, string? Config, int Count, int Concurrency, double Rate, double Seconds, string Out, bool PerfMap)
    {
        public static Options? Parse(string[] args)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            var perfMap = false;
            for (var i = 0; i < args.Length; i++)
            {
                if (args[i] == "--perf-map")
                {
                    perfMap = true;
                }
                else if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
                {
                    values[args[i][2..]] = args[++i];
                }
                else
                {
                    return null;
                }
            }

            if (!values.TryGetValue("redis", out var redis) || !values.TryGetValue("attribution-dll", out var dll) || !values.TryGetValue("out", out var output))
            {
                return null;
            }

            int Int(string name, int fallback) => values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
            double Double(string name, double fallback) => values.TryGetValue(name, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
            return new Options(redis, dll, values.GetValueOrDefault("config"), Int("count", 20_000), Int("concurrency", 64),
                Double("rate", 1000), Double("seconds", 10), output, perfMap);
        }
    }
}
