using Microsoft.Extensions.Logging;

namespace CommitLog.Replication.Tcp;

/// <summary>The connection's log lines (refusals and closes are warnings an operator should see).</summary>
internal sealed partial class TcpConnection
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Replication peer {PeerId} at {Remote} authenticated")]
    private static partial void LogAuthenticated(ILogger logger, string peerId, string remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused replication peer at {Remote}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string remote, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing connection to {PeerId}: {Reason}")]
    private static partial void LogInvalidFrame(ILogger logger, string peerId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Peer {PeerId} is dead: nothing received for {Silent}")]
    private static partial void LogDeadPeer(ILogger logger, string peerId, TimeSpan silent);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connection to {PeerId} closed: {Reason}")]
    private static partial void LogClosed(ILogger logger, string peerId, string reason);
}
