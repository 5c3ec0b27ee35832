using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.Logging;

namespace CommitLog.Replication.Tcp;

/// <summary>Settings of a <see cref="TcpTransport"/>.</summary>
public sealed class TcpTransportOptions
{
    /// <summary>This node's identity, proven to peers in the handshake (1 to 255 UTF-8 bytes).</summary>
    public required string NodeId { get; init; }

    /// <summary>The pre-shared cluster secret (at least 16 bytes); peers that do not know it are refused.</summary>
    public required ReadOnlyMemory<byte> ClusterSecret { get; init; }

    /// <summary>The largest frame payload accepted or sent, in bytes (default 2 MiB, at most 1 GiB). A cluster node replicates
    /// batches of up to this minus 299 bytes, so the default carries Kafka's default <c>max.message.bytes</c> (1 MiB + 12).</summary>
    public int MaxFrameBytes { get; init; } = 2 << 20;

    /// <summary>After this long without sending, a ping is sent (default 1 s; <see cref="Timeout.InfiniteTimeSpan"/> turns pings off).</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>After this long without receiving anything, the peer is declared dead and the connection closed (default 5 s).</summary>
    public TimeSpan DeadPeerTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the authentication handshake may take (default 5 s).</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>First delay between dial attempts (default 100 ms); it doubles up to <see cref="ReconnectMaxDelay"/>, with jitter.</summary>
    public TimeSpan ReconnectInitialDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest delay between dial attempts (default 10 s).</summary>
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How many times a dial is tried before giving up (default: until cancelled).</summary>
    public int MaxConnectAttempts { get; init; } = int.MaxValue;

    /// <summary>Seed of the backoff jitter; null for a random seed.</summary>
    public int? JitterSeed { get; init; }

    /// <summary>Mutual TLS with certificates before the cluster-secret handshake; plain TCP when null.</summary>
    public TcpTlsOptions? Tls { get; init; }

    /// <summary>Clock of keep-alives, timeouts and backoff; <see cref="TimeProvider.System"/> when null.</summary>
    public TimeProvider? TimeProvider { get; init; }

    /// <summary>Where refusals and closed connections are logged; nothing is logged when null.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Creates the "CommitLog" meter; a private meter is created when null.</summary>
    public IMeterFactory? MeterFactory { get; init; }

    internal void Validate()
    {
        if (string.IsNullOrEmpty(NodeId) || Encoding.UTF8.GetByteCount(NodeId) > 255)
        {
            throw new ArgumentException("NodeId must be 1 to 255 UTF-8 bytes.", nameof(NodeId));
        }

        if (ClusterSecret.Length < 16)
        {
            throw new ArgumentException($"ClusterSecret must be at least 16 bytes; it is {ClusterSecret.Length}.", nameof(ClusterSecret));
        }

        if (MaxFrameBytes is < 1 or > 1 << 30)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxFrameBytes), MaxFrameBytes, "MaxFrameBytes must be 1 to 1 GiB.");
        }

        CheckPositiveOrInfinite(KeepAliveInterval, nameof(KeepAliveInterval));
        CheckPositiveOrInfinite(DeadPeerTimeout, nameof(DeadPeerTimeout));
        if (DeadPeerTimeout != Timeout.InfiniteTimeSpan && KeepAliveInterval != Timeout.InfiniteTimeSpan && DeadPeerTimeout <= KeepAliveInterval)
        {
            throw new ArgumentOutOfRangeException(nameof(DeadPeerTimeout), DeadPeerTimeout,
                $"DeadPeerTimeout must be longer than KeepAliveInterval ({KeepAliveInterval}).");
        }

        if (HandshakeTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(HandshakeTimeout), HandshakeTimeout, "HandshakeTimeout must be positive.");
        }

        if (ReconnectInitialDelay <= TimeSpan.Zero || ReconnectMaxDelay < ReconnectInitialDelay)
        {
            throw new ArgumentOutOfRangeException(nameof(ReconnectInitialDelay), ReconnectInitialDelay,
                "ReconnectInitialDelay must be positive and not longer than ReconnectMaxDelay.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConnectAttempts, 1, nameof(MaxConnectAttempts));
        Tls?.Validate();
    }

    private static void CheckPositiveOrInfinite(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive or Timeout.InfiniteTimeSpan.");
        }
    }
}
