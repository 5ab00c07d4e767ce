using StackExchange.Redis;

namespace Able.Tests.Supervision;

/// <summary>The exceptions StackExchange.Redis throws, built as it builds them.</summary>
internal static class RedisErrors
{
    public static RedisTimeoutException Timeout(string message = "Timeout performing XREADGROUP") =>
        new(CommandFlags.None, message, CommandStatus.Sent);

    public static RedisConnectionException Connection(ConnectionFailureType type = ConnectionFailureType.SocketFailure) =>
        new(type, CommandFlags.None, "connection lost", null, CommandStatus.Unknown);

    /// <summary>A server error reply such as <c>LOADING Redis is loading the dataset in memory</c>.</summary>
    public static RedisServerException Server(string reply) => new(RedisErrorKind.Unknown, CommandFlags.None, reply);
}
