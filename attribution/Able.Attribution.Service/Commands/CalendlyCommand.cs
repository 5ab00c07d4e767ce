using System.Globalization;
using System.Net;
using Able.Attribution.Calendly;
using Able.Attribution.Calendly.Api;
using Able.Hosting;
using Able.Hosting.Configuration;
using Able.Hosting.Redis;
using Able.Schema.Configuration;
using Able.Schema.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Able.Attribution.Service.Commands;

/// <summary>
/// <c>./able calendly connect</c>: subscribes a funnel's webhook URL at Calendly with a fresh signing key (replacing, never
/// duplicating, a subscription with that URL) and stores key, token, URL and scope in the secrets overlay, which the running
/// services read without a restart. <c>./able calendly status</c>: each connected funnel's subscription, its last delivery and
/// whether the ingress uses the stored key.
/// </summary>
internal static class CalendlyCommand
{
    public const string Usage =
        "usage: ./able calendly connect --funnel <mark> [--token <personal access token>] [--url https://<host>/calendly-webhook/<mark>] [--scope organization|user] [--config FILE] [--secrets FILE]\n"
        + "       ./able calendly status [--funnel <mark>] [--config FILE] [--secrets FILE]\n"
        + "The token may also come from CALENDLY_TOKEN (or the one stored by an earlier connect).";

    public const string TokenVariable = "CALENDLY_TOKEN";

    /// <summary>Something else failed (an answer Calendly does not document), or status found a subscription that is not active.</summary>
    public const int FailedExitCode = 1;

    public const int BadTokenExitCode = 3;

    public const int ForbiddenExitCode = 4;

    public const int UnreachableExitCode = 5;

    public const int RateLimitedExitCode = 6;

    /// <summary>An argument is missing or not understood (EX_USAGE).</summary>
    public const int UsageExitCode = 64;

    private static readonly string[] ConnectOptions = ["funnel", "token", "url", "scope", "config", "secrets"];
    private static readonly string[] StatusOptions = ["funnel", "config", "secrets"];

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        time ??= TimeProvider.System;
        var (verb, allowed) = args switch
        {
            ["connect", ..] => ("connect", ConnectOptions),
            ["status", ..] => ("status", StatusOptions),
            _ => ((string?)null, Array.Empty<string>()),
        };
        if (verb is null)
        {
            return await UsageErrorAsync(error, args.Length == 0 ? "calendly needs connect or status" : $"unknown calendly command '{args[0]}'");
        }

        if (!TryParse(args[1..], allowed, out var values, out var problem))
        {
            return await UsageErrorAsync(error, problem);
        }

        string[] sources = [.. values.Where(v => v.Key is "config" or "secrets").SelectMany(v => new[] { "--" + v.Key, v.Value })];
        if (await CommandConfiguration.ReadAsync(sources, error) is not var (options, secretsPath))
        {
            return AbleHost.ConfigurationErrorExitCode;
        }

        values.TryGetValue("funnel", out var mark);
        if (mark is not null && FindFunnel(options, mark) < 0)
        {
            return await UsageErrorAsync(error, $"no funnel has the mark '{mark}' (configured: {string.Join(", ", options.Funnels.Select(f => f.Mark))})");
        }

        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan, MaxResponseContentBufferSize = CalendlyApiClient.MaxResponseBytes };
        var api = new CalendlyApiClient(http, new FixedOptionsMonitor<AbleOptions>(options), time)
        {
            RateLimitWaiting = wait => output.WriteLine(
                $"Calendly's rate limit (HTTP 429): waiting {wait.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s before trying again."),
        };
        var connector = new CalendlyConnector(api);
        var overlay = new SecretsOverlayFile(secretsPath);
        return verb == "connect"
            ? await ConnectAsync(values, options, overlay, connector, time, output, error, cancellationToken)
            : await StatusAsync(mark, options, overlay, connector, output, error, cancellationToken);
    }

    private static async Task<int> ConnectAsync(
        Dictionary<string, string> values, AbleOptions options, SecretsOverlayFile overlay, CalendlyConnector connector, TimeProvider time,
        TextWriter output, TextWriter error, CancellationToken ct)
    {
        if (!values.TryGetValue("funnel", out var mark))
        {
            return await UsageErrorAsync(error, "connect needs --funnel <mark>");
        }

        var index = FindFunnel(options, mark);
        var funnel = options.Funnels[index];
        var token = values.GetValueOrDefault("token") ?? Environment.GetEnvironmentVariable(TokenVariable) ?? funnel.Calendly.ApiToken;
        if (string.IsNullOrWhiteSpace(token))
        {
            return await UsageErrorAsync(error,
                $"connect needs a Calendly personal access token: --token <token> or {TokenVariable} (create one at https://calendly.com/integrations/api_webhooks)");
        }

        var scope = values.GetValueOrDefault("scope") ?? funnel.Calendly.SubscriptionScope;
        if (scope is not ("organization" or "user"))
        {
            return await UsageErrorAsync(error, $"--scope must be organization or user, not '{scope}'");
        }

        var url = values.GetValueOrDefault("url") ?? CalendlyWebhookUrl.Of(funnel, options.Attribution.Calendly);
        if (CheckWebhookUrl(url) is { } badUrl)
        {
            return await UsageErrorAsync(error, badUrl);
        }

        await output.WriteLineAsync($"Connecting funnel {funnel.Mark} to Calendly ({connector.Api.BaseUrl}): webhooks to {url}, scope {scope}.");
        var replaced = await connector.ReplaceAsync(token, url, scope, ct);
        if (!replaced.Succeeded)
        {
            return await FailAsync(error, replaced.Error, scope);
        }

        var (subscription, key, _, count) = replaced.Value;
        var now = time.GetUtcNow();
        var validUntil = now.AddMinutes(options.Attribution.Calendly.SigningKeyGraceMinutes);
        // The key Calendly signed with until now: the one the ingress uses. Kept for the grace period, so deliveries already
        // on their way are accepted; with nothing replaced there is nothing on its way.
        var previous = count > 0 && !string.IsNullOrEmpty(funnel.Calendly.SigningKey) ? funnel.Calendly.SigningKey : null;
        var variable = $"Able__Funnels__{index}__Calendly__SigningKey";
        try
        {
            // Not cancelled by Ctrl-C: the subscription exists now, and its key is known only here.
            await CalendlySecrets.StoreAsync(overlay, funnel.Mark, key, previous, validUntil, token, url, scope, CancellationToken.None);
        }
        catch (Exception failure) when (failure is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            await error.WriteLineAsync(
                $"Subscription {subscription.Uri} is created, but the secrets overlay {overlay.Path} cannot be written ({failure.Message}). "
                + "Give the services its signing key through the environment, or fix the overlay and run connect again:");
            await error.WriteLineAsync($"  {variable}={key}");
            return FailedExitCode;
        }

        await output.WriteLineAsync($"Subscription {subscription.Uri}");
        await output.WriteLineAsync($"  state   {subscription.State}");
        await output.WriteLineAsync($"  events  {string.Join(", ", subscription.Events)}");
        await output.WriteLineAsync($"  scope   {subscription.Scope}");
        await output.WriteLineAsync($"  url     {subscription.CallbackUrl}");
        if (count > 0)
        {
            await output.WriteLineAsync(
                $"Replaced {count} subscription(s) with this URL (Calendly never tells a subscription's key, so it was created anew)"
                + (previous is null ? "." : $"; the old key is accepted until {validUntil.ToString("O", CultureInfo.InvariantCulture)}."));
        }

        await output.WriteLineAsync($"Stored the signing key, the API token, the URL and the scope in {overlay.Path}; the running services use them without a restart.");
        if (Environment.GetEnvironmentVariable(variable) is not null)
        {
            await output.WriteLineAsync($"Warning: {variable} is set in this environment and overrides the overlay; update it as below.");
        }

        await output.WriteLineAsync("For a deployment without the overlay, set this once (it is the secret Calendly signs with; keep it so):");
        await output.WriteLineAsync($"  {variable}={key}");
        return 0;
    }

    private static async Task<int> StatusAsync(
        string? mark, AbleOptions options, SecretsOverlayFile overlay, CalendlyConnector connector, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var funnels = mark is null ? options.Funnels : [options.Funnels[FindFunnel(options, mark)]];
        var allActive = true;
        IConnectionMultiplexer? redis = null;
        try
        {
            foreach (var funnel in funnels)
            {
                if (string.IsNullOrWhiteSpace(funnel.Calendly.ApiToken))
                {
                    await output.WriteLineAsync(
                        $"funnel {funnel.Mark}: not connected (no Calendly API token); connect it with: ./able calendly connect --funnel {funnel.Mark} --token <personal access token>");
                    continue;
                }

                var url = CalendlyWebhookUrl.Of(funnel, options.Attribution.Calendly);
                var scope = funnel.Calendly.SubscriptionScope;
                await output.WriteLineAsync($"funnel {funnel.Mark}: webhooks to {url}, scope {scope}");
                var found = await connector.FindAsync(funnel.Calendly.ApiToken, url, scope, ct);
                if (!found.Succeeded)
                {
                    return await FailAsync(error, found.Error, scope);
                }

                if (found.Value.Subscriptions.Count == 0)
                {
                    allActive = false;
                    await output.WriteLineAsync($"  no subscription posts to this URL: run ./able calendly connect --funnel {funnel.Mark}");
                }

                foreach (var subscription in found.Value.Subscriptions)
                {
                    allActive &= subscription.IsActive;
                    var retry = subscription.RetryStartedAt?.ToString("O", CultureInfo.InvariantCulture) ?? "none";
                    await output.WriteLineAsync($"  subscription {subscription.Uri}: {subscription.State}, retry_started_at {retry}"
                        + (subscription.IsActive ? "" : $" (NOT active: run ./able calendly connect --funnel {funnel.Mark} to recreate it)"));
                }

                redis ??= await ConnectRedisAsync(options.Redis);
                await output.WriteLineAsync($"  last delivery: {await LastDeliveryAsync(redis, new RedisKeys(options.Redis.KeyPrefix), funnel.Mark)}");
                await output.WriteLineAsync($"  signing key: {KeyAgreement(overlay, funnel)}");
            }
        }
        finally
        {
            if (redis is not null)
            {
                await redis.DisposeAsync();
            }
        }

        return allActive ? 0 : FailedExitCode;
    }

    /// <summary>Whether the ingress uses the key in the overlay; never the keys themselves.</summary>
    private static string KeyAgreement(SecretsOverlayFile overlay, FunnelOptions funnel)
    {
        var stored = overlay.Get(funnel.Mark, CalendlySecrets.SigningKey);
        return stored is null ? $"the overlay {overlay.Path} has none for this funnel (the ingress uses able.json's or the environment's)"
            : string.Equals(stored, funnel.Calendly.SigningKey, StringComparison.Ordinal) ? "matches (the ingress uses the key in the overlay)"
            : "differs (the environment overrides the overlay)";
    }

    private static async Task<IConnectionMultiplexer> ConnectRedisAsync(RedisOptions redis)
    {
        var configuration = RedisServiceCollectionExtensions.ConnectionOptions(redis);
        configuration.ClientName ??= "able-calendly-status";
        return await ConnectionMultiplexer.ConnectAsync(configuration);
    }

    private static async Task<string> LastDeliveryAsync(IConnectionMultiplexer redis, RedisKeys keys, string mark)
    {
        try
        {
            var value = await redis.GetDatabase().StringGetAsync(keys.CalendlyLastDelivery(mark));
            if (value.IsNull)
            {
                return "none seen (since Redis was last emptied)";
            }

            return long.TryParse(value.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
                ? DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("O", CultureInfo.InvariantCulture)
                : "unreadable";
        }
        catch (Exception failure) when (failure is RedisException or TimeoutException or ArgumentOutOfRangeException)
        {
            return $"unknown (Redis: {failure.Message})";
        }
    }

    private static async Task<int> FailAsync(TextWriter error, CalendlyApiError failure, string scope)
    {
        var (code, hint) = failure.Kind switch
        {
            CalendlyApiFailure.Unauthorized => (BadTokenExitCode,
                $" Check the token given with --token or {TokenVariable} (or the Calendly:ApiToken stored for the funnel)."),
            CalendlyApiFailure.Forbidden => (ForbiddenExitCode,
                scope == "organization" ? " Try --scope user if you are not an organization admin." : " Webhooks need a paid Calendly plan."),
            CalendlyApiFailure.Network => (UnreachableExitCode, " Check Able:Attribution:Calendly:ApiBaseUrl and the network."),
            CalendlyApiFailure.RateLimited => (RateLimitedExitCode, ""),
            _ => (FailedExitCode, ""),
        };
        await error.WriteLineAsync(failure.Message + hint);
        return code;
    }

    /// <summary>Null when Calendly can post to the URL: absolute https (http only to loopback, for tests); otherwise why not.</summary>
    internal static string? CheckWebhookUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            return $"the webhook URL '{url}' is not an absolute URL (like https://book.example.com/calendly-webhook/acme)";
        }

        var loopback = uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
        return uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && loopback)
            ? null
            : $"the webhook URL '{url}' must be https:// (Calendly posts only to public HTTPS URLs; http:// is allowed for loopback tests only)";
    }

    private static int FindFunnel(AbleOptions options, string mark) =>
        Array.FindIndex(options.Funnels, f => string.Equals(f.Mark, mark, StringComparison.OrdinalIgnoreCase));

    /// <summary><c>--name value</c> or <c>--name=value</c>, each at most once, names from <paramref name="allowed"/>.</summary>
    private static bool TryParse(string[] args, string[] allowed, out Dictionary<string, string> values, out string problem)
    {
        values = new Dictionary<string, string>(StringComparer.Ordinal);
        problem = "";
        for (var i = 0; i < args.Length; i++)
        {
            var argument = args[i];
            if (!argument.StartsWith("--", StringComparison.Ordinal))
            {
                problem = $"unexpected argument '{argument}'";
                return false;
            }

            var equals = argument.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? argument[2..] : argument[2..equals];
            if (!allowed.Contains(name, StringComparer.Ordinal))
            {
                problem = $"unknown option --{name}";
                return false;
            }

            string value;
            if (equals >= 0)
            {
                value = argument[(equals + 1)..];
            }
            else if (i + 1 < args.Length)
            {
                value = args[++i];
            }
            else
            {
                problem = $"--{name} needs a value";
                return false;
            }

            if (!values.TryAdd(name, value))
            {
                problem = $"--{name} is given twice";
                return false;
            }
        }

        return true;
    }

    private static async Task<int> UsageErrorAsync(TextWriter error, string problem)
    {
        await error.WriteLineAsync(problem);
        await error.WriteLineAsync(Usage);
        return UsageExitCode;
    }
}
