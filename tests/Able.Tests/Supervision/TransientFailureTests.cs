using System.Net.Sockets;
using System.Text.Json;
using Able.Supervision;
using StackExchange.Redis;

namespace Able.Tests.Supervision;

public sealed class TransientFailureTests
{
    public static TheoryData<Exception> Unavailable() =>
    [
        RedisErrors.Timeout("Timeout performing XREADGROUP"),
        RedisErrors.Connection(ConnectionFailureType.UnableToConnect),
        RedisErrors.Server("LOADING Redis is loading the dataset in memory"),
        RedisErrors.Server("MASTERDOWN Link with MASTER is down"),
        RedisErrors.Server("READONLY You can't write against a read only replica."),
        RedisErrors.Server("NOSCRIPT No matching script."),
        new TimeoutException(),
        new SocketException((int)SocketError.ConnectionRefused),
        new IOException("broken pipe"),
        new HttpRequestException("connection refused"),
        new AggregateException(RedisErrors.Timeout("a"), new IOException("b")),
    ];

    public static TheoryData<Exception> Defects() =>
    [
        new InvalidOperationException("bug"),
        new JsonException("corrupt"),
        new KeyNotFoundException(),
        new ArgumentException("bad"),
        new AggregateException(RedisErrors.Timeout("a"), new InvalidOperationException("bug")),
    ];

    [Theory]
    [MemberData(nameof(Unavailable))]
    public void Outages_of_redis_and_the_network_are_unavailable(Exception error)
    {
        Assert.True(TransientFailure.IsUnavailable(error));
        Assert.True(TransientFailure.IsRedisOrNetwork(error));
    }

    [Fact]
    public void A_server_error_that_does_not_pass_by_itself_is_redis_but_not_unavailable()
    {
        var wrongType = RedisErrors.Server("WRONGTYPE Operation against a key holding the wrong kind of value");
        Assert.False(TransientFailure.IsUnavailable(wrongType));
        Assert.True(TransientFailure.IsRedisOrNetwork(wrongType));
    }

    [Theory]
    [MemberData(nameof(Defects))]
    public void Defects_are_neither(Exception error)
    {
        Assert.False(TransientFailure.IsUnavailable(error));
        Assert.False(TransientFailure.IsRedisOrNetwork(error));
    }
}
