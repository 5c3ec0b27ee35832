using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace CommitLog.Replication.Control;

/// <summary>
/// Binary image of a whole <see cref="ClusterMetadata"/> (Raft snapshots and the static plane's state file):
/// <c>"CLMD" | format 1 | body length | body | CRC-32C(body)</c>, the body little-endian with length-prefixed UTF-8
/// strings. <see cref="ClusterMetadata.ControllerId"/> is not stored (it is not part of the committed state).
/// </summary>
internal static class MetadataSnapshotCodec
{
    private const int Magic = 0x444D4C43; // "CLMD" little-endian
    private const int Format = 1;

    public static byte[] Encode(ClusterMetadata metadata)
    {
        using var body = new MemoryStream();
        using (var w = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(metadata.Version);
            w.Write(metadata.Brokers.Count);
            foreach (BrokerRegistration b in metadata.Brokers.Values.OrderBy(b => b.NodeId))
            {
                w.Write(b.NodeId);
                w.Write(b.Address);
                w.Write(b.IsFenced);
            }

            w.Write(metadata.Topics.Count);
            foreach (ReplicatedTopic t in metadata.Topics.Values.OrderBy(t => t.Name, StringComparer.Ordinal))
            {
                w.Write(t.Name);
                w.Write(t.PartitionCount);
                w.Write(t.ReplicationFactor);
                w.Write(t.MinInsyncReplicas);
                w.Write(t.UncleanLeaderElection);
            }

            w.Write(metadata.Partitions.Count);
            foreach (PartitionState p in metadata.Partitions.Values.OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition))
            {
                w.Write(p.Topic);
                w.Write(p.Partition);
                WriteInts(w, p.Replicas);
                WriteInts(w, p.Isr);
                w.Write(p.Leader);
                w.Write(p.LeaderEpoch);
                w.Write(p.PartitionEpoch);
            }
        }

        byte[] payload = body.ToArray();
        byte[] result = new byte[12 + payload.Length + 4];
        BinaryPrimitives.WriteInt32LittleEndian(result, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(result.AsSpan(4), Format);
        BinaryPrimitives.WriteInt32LittleEndian(result.AsSpan(8), payload.Length);
        payload.CopyTo(result, 12);
        BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(12 + payload.Length), Crc32C(payload));
        return result;
    }

    /// <exception cref="InvalidDataException">The image is truncated, corrupt or of an unknown format.</exception>
    public static ClusterMetadata Decode(ReadOnlySpan<byte> image)
    {
        if (image.Length < 16 || BinaryPrimitives.ReadInt32LittleEndian(image) != Magic)
        {
            throw new InvalidDataException("Not a cluster metadata image (bad magic or shorter than 16 bytes).");
        }

        int format = BinaryPrimitives.ReadInt32LittleEndian(image[4..]);
        if (format != Format)
        {
            throw new InvalidDataException($"Cluster metadata image format {format} is not supported (only {Format}).");
        }

        int length = BinaryPrimitives.ReadInt32LittleEndian(image[8..]);
        if (length < 0 || length != image.Length - 16)
        {
            throw new InvalidDataException($"Cluster metadata image claims {length} body bytes but has {image.Length - 16}.");
        }

        ReadOnlySpan<byte> payload = image.Slice(12, length);
        if (BinaryPrimitives.ReadUInt32LittleEndian(image[(12 + length)..]) != Crc32C(payload))
        {
            throw new InvalidDataException("Cluster metadata image checksum mismatch.");
        }

        try
        {
            using var r = new BinaryReader(new MemoryStream(payload.ToArray()), Encoding.UTF8);
            long version = r.ReadInt64();
            var brokers = new Dictionary<int, BrokerRegistration>();
            for (int i = ReadCount(r); i > 0; i--)
            {
                var b = new BrokerRegistration(r.ReadInt32(), r.ReadString(), r.ReadBoolean());
                brokers[b.NodeId] = b;
            }

            var topics = new Dictionary<string, ReplicatedTopic>(StringComparer.Ordinal);
            for (int i = ReadCount(r); i > 0; i--)
            {
                var t = new ReplicatedTopic(r.ReadString(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadBoolean());
                topics[t.Name] = t;
            }

            var partitions = new Dictionary<TopicPartition, PartitionState>();
            for (int i = ReadCount(r); i > 0; i--)
            {
                var p = new PartitionState(r.ReadString(), r.ReadInt32(), ReadInts(r), ReadInts(r), r.ReadInt32(), r.ReadInt32(), r.ReadInt32());
                partitions[p.TopicPartition] = p;
            }

            return new ClusterMetadata(version, -1, brokers, topics, partitions);
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException("Cluster metadata image ends inside a record.", ex);
        }
    }

    private static uint Crc32C(ReadOnlySpan<byte> data) => Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, data);

    private static void WriteInts(BinaryWriter w, IReadOnlyList<int> values)
    {
        w.Write(values.Count);
        foreach (int v in values)
        {
            w.Write(v);
        }
    }

    private static int ReadCount(BinaryReader r)
    {
        int count = r.ReadInt32();
        return count is >= 0 and <= 1 << 20 ? count : throw new InvalidDataException($"Cluster metadata image has an invalid count {count}.");
    }

    private static int[] ReadInts(BinaryReader r)
    {
        int[] values = new int[ReadCount(r)];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = r.ReadInt32();
        }

        return values;
    }
}
