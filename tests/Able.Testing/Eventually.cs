using System.Net;

namespace Able.Testing;

/// <summary>Polling for conditions that become true asynchronously (reconnects, background writers).</summary>
public static class Eventually
{
    public static async Task<bool> TrueAsync(Func<Task<bool>> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        do
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);

        return await condition();
    }

    public static Task<bool> StatusAsync(HttpClient client, Uri uri, HttpStatusCode expected, TimeSpan within) =>
        TrueAsync(async () =>
        {
            try
            {
                using var response = await client.GetAsync(uri);
                return response.StatusCode == expected;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, within);
}
