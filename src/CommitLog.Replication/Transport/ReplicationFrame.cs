namespace CommitLog.Replication.Transport;

/// <summary>
/// One whole frame carried by a replication transport: an application frame type and its payload.
/// Types 0 to <see cref="MaxApplicationType"/> belong to the caller; higher values are reserved for the transport.
/// </summary>
/// <param name="Type">The application frame type, 0 to <see cref="MaxApplicationType"/>.</param>
/// <param name="Payload">The frame's bytes; owned by the receiver once delivered.</param>
public readonly record struct ReplicationFrame(byte Type, ReadOnlyMemory<byte> Payload)
{
    /// <summary>The highest frame type an application may send; values above it are the transport's own.</summary>
    public const byte MaxApplicationType = 0x7F;

    /// <summary>Throws when <paramref name="type"/> or <paramref name="payloadLength"/> is not allowed.</summary>
    internal static void Validate(byte type, int payloadLength, int maxFrameBytes)
    {
        if (type > MaxApplicationType)
        {
            throw new ArgumentOutOfRangeException(nameof(type), type,
                $"Frame type {type} is reserved for the transport; application frame types are 0 to {MaxApplicationType}.");
        }

        if (payloadLength > maxFrameBytes)
        {
            throw new FrameTooLargeException(payloadLength, maxFrameBytes);
        }
    }
}
