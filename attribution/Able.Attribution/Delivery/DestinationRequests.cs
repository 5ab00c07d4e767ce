using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Prometheus;

namespace Able.Attribution.Delivery;

/// <summary>What the destination clients (TikTok, GA4) share: a JSON POST, and the request duration histogram by outcome.</summary>
internal static class DestinationRequests
{
    /// <summary>A POST of <paramref name="body"/> as <c>application/json</c> (UTF-8, no charset parameter) to <paramref name="url"/>.</summary>
    public static HttpRequestMessage JsonPost(Uri url, JsonObject body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return request;
    }

    /// <summary>The request duration histograms' shape: labelled by outcome, buckets from 10 ms to about 20 s.</summary>
    public static HistogramConfiguration DurationByOutcome() => new()
    {
        LabelNames = ["outcome"],
        Buckets = Histogram.ExponentialBuckets(0.01, 2, 12),
    };
}
