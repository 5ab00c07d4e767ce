using Microsoft.AspNetCore.Http.Features;

namespace Able.Attribution.Service.Ingress;

/// <summary>The raw request body, read up to a limit.</summary>
internal readonly record struct RequestBody(ReadOnlyMemory<byte> Bytes, int FailureStatus)
{
    public bool Ok => FailureStatus == 0;

    /// <summary>
    /// Reads at most <paramref name="maxBytes"/>: a declared <c>Content-Length</c> over the limit is refused
    /// before anything is read, and a chunked body is cut off at the first byte past it (413 either way). A chunked
    /// body whose framing alone is larger than the limit (chunks of a few bytes each) gets Kestrel's 413.
    /// A body that breaks off or is malformed on the wire gives 400 (or Kestrel's own status).
    /// </summary>
    public static async Task<RequestBody> ReadAsync(HttpContext context, int maxBytes, Action<string> onReadFailure)
    {
        var request = context.Request;
        if (request.ContentLength > maxBytes)
        {
            return new(default, StatusCodes.Status413PayloadTooLarge);
        }

        // Kestrel then refuses the rest of an oversized body itself instead of draining it. Kestrel counts a chunked
        // body's framing (each chunk's size line and CRLFs) against its limit as well as the data, so a chunked body
        // gets as much again for framing: its data is still cut off one byte past the limit below.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = request.ContentLength is null ? (2L * maxBytes) + 1L : maxBytes + 1L;
        }

        // Room for one byte more than declared or allowed, so an overrun is seen without reading further.
        var buffer = new byte[(int)Math.Min((request.ContentLength ?? 16 * 1024) + 1, maxBytes + 1L)];
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > maxBytes)
                    {
                        return new(default, StatusCodes.Status413PayloadTooLarge);
                    }

                    Array.Resize(ref buffer, (int)Math.Min(Math.Max(buffer.Length * 2L, 4096), maxBytes + 1L));
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted);
                if (read == 0)
                {
                    return new(buffer.AsMemory(0, length), 0);
                }

                length += read;
                if (length > maxBytes)
                {
                    return new(default, StatusCodes.Status413PayloadTooLarge);
                }
            }
        }
        catch (BadHttpRequestException error)
        {
            onReadFailure(error.GetType().Name);
            return new(default, error.StatusCode);
        }
        catch (IOException error)
        {
            onReadFailure(error.GetType().Name);
            return new(default, StatusCodes.Status400BadRequest);
        }
    }
}
