namespace CommitLog.Replication.Protocol;

/// <content>Bounded decoding.</content>
internal static partial class MessageCodec
{
    // Smallest encoded partition entries (empty topic, empty records), used to bound counts by the bytes left.
    private const int MinFetchPartitionRequestBytes = 2 + 4 + 4 + 8 + 4 + 8 + 4;
    private const int MinFetchPartitionResponseBytes = 2 + 4 + 2 + 8 + 8 + 4 + 8 + 4;

    /// <summary>Decodes one message; throws <see cref="ProtocolFormatException"/> naming what is wrong.</summary>
    /// <param name="data">The message bytes, exactly one message.</param>
    /// <param name="limits">The bounds to enforce, or null for <see cref="ProtocolLimits.Default"/>.</param>
    public static ReplicationMessage Decode(ReadOnlySpan<byte> data, ProtocolLimits? limits = null)
        => Decode(new ProtocolReader(data), limits);

    /// <summary>
    /// Decodes one message whose record bytes (fetch answers, produce requests) stay slices of <paramref name="data"/>
    /// instead of copies: the caller owns <paramref name="data"/> (a received frame) and must not reuse it while the
    /// message's records are in use. Throws <see cref="ProtocolFormatException"/> naming what is wrong.
    /// </summary>
    /// <param name="data">The message bytes, exactly one message.</param>
    /// <param name="limits">The bounds to enforce, or null for <see cref="ProtocolLimits.Default"/>.</param>
    public static ReplicationMessage DecodeInPlace(ReadOnlyMemory<byte> data, ProtocolLimits? limits = null)
        => Decode(new ProtocolReader(data), limits);

    private static ReplicationMessage Decode(ProtocolReader r, ProtocolLimits? limits)
    {
        limits ??= ProtocolLimits.Default;
        var kind = r.ReadByte();
        var version = r.ReadByte();
        if (version != Version)
        {
            throw new ProtocolFormatException($"Message version {version} is not supported; this node speaks version {Version}.");
        }

        var correlationId = r.ReadInt32();
        ReplicationMessage message = kind switch
        {
            FetchRequestKind => DecodeFetchRequest(ref r, correlationId, limits),
            FetchResponseKind => DecodeFetchResponse(ref r, correlationId, limits),
            ProduceRequestKind => new ProduceRequest(
                correlationId, r.ReadString(limits.MaxTopicBytes, "topic"), r.ReadInt32(), ReadAcks(ref r), r.ReadInt32(),
                r.ReadRecords(limits.MaxRecordsBytes, "records")),
            ProduceResponseKind => new ProduceResponse(
                correlationId, r.ReadString(limits.MaxTopicBytes, "topic"), r.ReadInt32(), ReadError(ref r), r.ReadInt64(), r.ReadInt64(), r.ReadInt64()),
            _ => DecodeCoordinator(kind, ref r, correlationId, limits) ?? throw new ProtocolFormatException(
                $"Unknown message kind {kind}; known kinds are 1 to {LastKind} (fetch, produce and their responses; group coordinator requests and responses)."),
        };
        r.ExpectEnd("message");
        return message;
    }

    private static FetchRequest DecodeFetchRequest(ref ProtocolReader r, int correlationId, ProtocolLimits limits)
    {
        var replicaId = r.ReadInt32();
        var count = r.ReadCount(limits.MaxPartitions, MinFetchPartitionRequestBytes, "partition");
        var partitions = new FetchPartitionRequest[count];
        for (var i = 0; i < count; i++)
        {
            var topic = r.ReadString(limits.MaxTopicBytes, "topic");
            var partition = r.ReadInt32();
            var currentEpoch = r.ReadInt32();
            var fetchOffset = r.ReadInt64();
            var lastFetchedEpoch = r.ReadInt32();
            var logStart = r.ReadInt64();
            var maxBytes = r.ReadInt32();
            partitions[i] = new FetchPartitionRequest(topic, partition, currentEpoch, fetchOffset, lastFetchedEpoch, logStart, maxBytes);
        }

        return new FetchRequest(correlationId, replicaId, partitions);
    }

    private static FetchResponse DecodeFetchResponse(ref ProtocolReader r, int correlationId, ProtocolLimits limits)
    {
        var count = r.ReadCount(limits.MaxPartitions, MinFetchPartitionResponseBytes, "partition");
        var partitions = new FetchPartitionResponse[count];
        for (var i = 0; i < count; i++)
        {
            var topic = r.ReadString(limits.MaxTopicBytes, "topic");
            var partition = r.ReadInt32();
            var error = ReadError(ref r);
            var hw = r.ReadInt64();
            var logStart = r.ReadInt64();
            var divergingEpoch = r.ReadInt32();
            var divergingEnd = r.ReadInt64();
            var records = r.ReadRecords(limits.MaxRecordsBytes, "records");
            partitions[i] = new FetchPartitionResponse(topic, partition, error, hw, logStart, divergingEpoch, divergingEnd, records);
        }

        return new FetchResponse(correlationId, partitions);
    }

    private static short ReadAcks(ref ProtocolReader r) => r.ReadInt16();

    private static ReplicationErrorCode ReadError(ref ProtocolReader r)
    {
        var code = r.ReadInt16();
        if (!Enum.IsDefined((ReplicationErrorCode)code))
        {
            throw new ProtocolFormatException($"Unknown error code {code}.");
        }

        return (ReplicationErrorCode)code;
    }
}
