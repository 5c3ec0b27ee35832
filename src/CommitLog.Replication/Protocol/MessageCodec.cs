using System.Buffers;
using CommitLog.Storage;

namespace CommitLog.Replication.Protocol;

/// <summary>
/// The binary form of replication messages: a kind byte, a version byte (0), the correlation id, then the fields in
/// declaration order, big-endian; strings are int16-length UTF-8, lists and record bytes int32-length prefixed.
/// Decoding checks each count and length against the bytes left and <see cref="ProtocolLimits"/> before allocating.
/// </summary>
internal static partial class MessageCodec
{
    public const byte Version = 0;

    private const byte FetchRequestKind = 1;
    private const byte FetchResponseKind = 2;
    private const byte ProduceRequestKind = 3;
    private const byte ProduceResponseKind = 4;

    /// <summary>Encodes <paramref name="message"/> to a new array.</summary>
    public static byte[] Encode(ReplicationMessage message, ProtocolLimits? limits = null)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Encode(message, buffer, limits);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Encodes <paramref name="message"/> into an array rented from the shared pool, sized from its records so that a
    /// fetch answer or produce is written once; the caller returns it (<see cref="PooledPayload.Return"/>) after sending.
    /// </summary>
    public static PooledPayload EncodePooled(ReplicationMessage message, ProtocolLimits? limits = null)
    {
        using var writer = new PooledBufferWriter(ArrayPool<byte>.Shared, SizeHint(message));
        Encode(message, writer, limits);
        var (buffer, length) = writer.Detach();
        return new PooledPayload(buffer, length);
    }

    private static int SizeHint(ReplicationMessage message)
    {
        const int Fixed = 64; // kind, version, correlation, counts and a partition's fixed fields
        switch (message)
        {
            case FetchResponse fetch:
                long size = Fixed;
                foreach (var p in fetch.Partitions)
                {
                    size += Fixed + (3L * p.Topic.Length) + p.Records.Length;
                }

                return (int)Math.Min(size, Array.MaxLength);
            case ProduceRequest produce:
                return (int)Math.Min(Fixed + (3L * produce.Topic.Length) + produce.Records.Length, Array.MaxLength);
            default:
                return 256;
        }
    }

    /// <summary>Encodes <paramref name="message"/> to <paramref name="output"/>.</summary>
    public static void Encode(ReplicationMessage message, IBufferWriter<byte> output, ProtocolLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(output);
        limits ??= ProtocolLimits.Default;
        var w = new ProtocolWriter(output);
        switch (message)
        {
            case FetchRequest fetch:
                Header(w, FetchRequestKind, fetch.CorrelationId);
                w.WriteInt32(fetch.ReplicaId);
                w.WriteInt32(fetch.Partitions.Count);
                foreach (var p in fetch.Partitions)
                {
                    w.WriteString(p.Topic, limits.MaxTopicBytes);
                    w.WriteInt32(p.Partition);
                    w.WriteInt32(p.CurrentLeaderEpoch);
                    w.WriteInt64(p.FetchOffset);
                    w.WriteInt32(p.LastFetchedEpoch);
                    w.WriteInt64(p.LogStartOffset);
                    w.WriteInt32(p.MaxBytes);
                }

                break;
            case FetchResponse response:
                Header(w, FetchResponseKind, response.CorrelationId);
                w.WriteInt32(response.Partitions.Count);
                foreach (var p in response.Partitions)
                {
                    w.WriteString(p.Topic, limits.MaxTopicBytes);
                    w.WriteInt32(p.Partition);
                    w.WriteInt16((short)p.Error);
                    w.WriteInt64(p.HighWatermark);
                    w.WriteInt64(p.LogStartOffset);
                    w.WriteInt32(p.DivergingEpoch);
                    w.WriteInt64(p.DivergingEndOffset);
                    w.WriteBytes(p.Records.Span);
                }

                break;
            case ProduceRequest produce:
                Header(w, ProduceRequestKind, produce.CorrelationId);
                w.WriteString(produce.Topic, limits.MaxTopicBytes);
                w.WriteInt32(produce.Partition);
                w.WriteInt16(produce.Acks);
                w.WriteInt32(produce.TimeoutMs);
                w.WriteBytes(produce.Records.Span);
                break;
            case ProduceResponse response:
                Header(w, ProduceResponseKind, response.CorrelationId);
                w.WriteString(response.Topic, limits.MaxTopicBytes);
                w.WriteInt32(response.Partition);
                w.WriteInt16((short)response.Error);
                w.WriteInt64(response.BaseOffset);
                w.WriteInt64(response.LogAppendTime);
                w.WriteInt64(response.LogStartOffset);
                break;
            default:
                if (!EncodeCoordinator(w, message, limits))
                {
                    throw new ArgumentException($"Unknown replication message type {message.GetType().Name}.", nameof(message));
                }

                break;
        }
    }

    private static void Header(ProtocolWriter w, byte kind, int correlationId)
    {
        w.WriteByte(kind);
        w.WriteByte(Version);
        w.WriteInt32(correlationId);
    }
}
