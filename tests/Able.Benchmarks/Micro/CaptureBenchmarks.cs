using System.Net;
using Able.Gateway.Capture;
using Able.Gateway.Routing;
using Able.Hosting.Configuration;
using Able.Schema.Configuration;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Prometheus;

namespace Able.Benchmarks.Micro;

/// <summary>
/// Capture on the request path and the record the writer sends, for the bench's ad-click request (a unique ttclid,
/// four UTMs, an iPhone User-Agent, no cookie): <see cref="Capture"/> is <see cref="VisitorCapture.Capture"/> on a fresh
/// request (building the request is <see cref="RequestOnly"/>, the baseline to subtract), <see cref="ScriptArguments"/>
/// is what the capture writer builds for Redis from the queued record. Allocation per operation in Allocated.
/// <c>./able bench micro --filter *CaptureBenchmarks*</c>
/// </summary>
[MemoryDiagnoser]
public class CaptureBenchmarks
{
    private const string UserAgent =
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

    private readonly FunnelOptions funnel = new() { Mark = "bench", Hosts = ["127.0.0.1"], Origin = "http://127.0.0.1:1" };
    private VisitorCapture capture = null!;
    private CaptureQueue queue = null!;
    private CaptureRecord record = null!;
    private long counter;

    [GlobalSetup]
    public void Setup()
    {
        var able = new AbleOptions
        {
            Gateway = new GatewayOptions
            {
                Capture = new CaptureOptions
                {
                    Budget = new CaptureBudgetOptions { NewVisitorsPerIpPerMinute = 1_000_000, CapturesPerVisitorPerMinute = 1_000_000 },
                },
            },
            Funnels = [funnel],
        };
        var options = Options.Create(able);
        var metrics = new CaptureMetrics(Metrics.WithCustomRegistry(Metrics.NewCustomRegistry()));
        queue = new CaptureQueue(options, metrics);
        capture = new VisitorCapture(
            queue, new CaptureBudget(options, TimeProvider.System), metrics, new ClientAddressResolver(new FixedOptionsMonitor<AbleOptions>(able)), TimeProvider.System);
        capture.Capture(Click(), funnel, VisitorCapture.PageView);
        queue.Reader.TryRead(out var first);
        record = first!;
    }

    [Benchmark(Baseline = true)]
    public HttpContext RequestOnly() => Click();

    [Benchmark]
    public object? Capture()
    {
        var visitor = capture.Capture(Click(), funnel, VisitorCapture.PageView);
        queue.Reader.TryRead(out _);
        return visitor;
    }

    [Benchmark]
    public int ScriptArguments() => CaptureScript.Arguments(record, 20).Length;

    private DefaultHttpContext Click()
    {
        var context = new DefaultHttpContext();
        var request = context.Request;
        request.Method = "GET";
        request.Scheme = "http";
        request.Host = new HostString("127.0.0.1", 8080);
        request.Path = "/";
        request.QueryString = new QueryString(
            $"?ttclid=E.C.P.bench-{++counter}&utm_source=tiktok&utm_medium=paid&utm_campaign=spring_sale&utm_content=video_a");
        request.Headers.UserAgent = UserAgent;
        request.Headers.Accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        request.Headers.AcceptLanguage = "en-US,en;q=0.9";
        // A client address per request, as for real ad clicks: one address would soon be over its new-visitor budget, and
        // the benchmark would measure the refusal instead.
        context.Connection.RemoteIpAddress = new IPAddress(BitConverter.GetBytes((uint)(0x0A000000 + (counter & 0xFFFFFF))));
        return context;
    }
}
