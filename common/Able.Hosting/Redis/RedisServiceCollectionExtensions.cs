using Able.Schema.Configuration;
using Able.Schema.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Able.Hosting.Redis;

public static class RedisServiceCollectionExtensions
{
    /// <summary>
    /// One <see cref="IConnectionMultiplexer"/> per process. It is created on first use and never aborts
    /// when Redis is down: it keeps reconnecting in the background, so a service starts (and reports
    /// not ready) without Redis and recovers by itself when Redis returns.
    /// </summary>
    public static IServiceCollection AddAbleRedis(this IServiceCollection services)
    {
        services.TryAddSingleton<IConnectionMultiplexer>(provider =>
        {
            var configuration = ConnectionOptions(provider.GetRequiredService<IOptions<AbleOptions>>().Value.Redis);
            configuration.ClientName ??= AppDomain.CurrentDomain.FriendlyName;
            return ConnectionMultiplexer.Connect(configuration);
        });
        services.TryAddSingleton(provider =>
            new RedisKeys(provider.GetRequiredService<IOptions<AbleOptions>>().Value.Redis.KeyPrefix));
        return services;
    }

    /// <summary>How Able connects to <c>Able:Redis</c>: never aborting while Redis is down, every timeout <c>ConnectTimeoutMilliseconds</c>.</summary>
    public static ConfigurationOptions ConnectionOptions(RedisOptions redis)
    {
        ArgumentNullException.ThrowIfNull(redis);
        var configuration = ConfigurationOptions.Parse(redis.Configuration);
        configuration.AbortOnConnectFail = false;
        configuration.ConnectTimeout = redis.ConnectTimeoutMilliseconds;
        configuration.SyncTimeout = redis.ConnectTimeoutMilliseconds;
        configuration.AsyncTimeout = redis.ConnectTimeoutMilliseconds;
        return configuration;
    }
}
