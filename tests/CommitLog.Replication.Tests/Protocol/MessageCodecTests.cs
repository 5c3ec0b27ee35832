using CommitLog.Replication.Protocol;
using FsCheck.Xunit;

namespace CommitLog.Replication.Tests.Protocol;

/// <summary>The replication message codec: any message round-trips; malformed input is a clear error with bounded allocation.</summary>
public sealed class MessageCodecTests
{
    private static readonly ProtocolLimits Limits = new(MaxPartitions: 64, MaxTopicBytes: 249, MaxRecordsBytes: 4096);

    [Property(MaxTest = 300)]
    public void FetchRequest_AnyFields_RoundTrips(int correlation, int replica, (string?, int, int, long, int, long, int)[] parts)
    {
        var partitions = (parts ?? []).Take(Limits.MaxPartitions)
            .Select(p => new FetchPartitionRequest(Topic(p.Item1), p.Item2, p.Item3, p.Item4, p.Item5, p.Item6, p.Item7)).ToArray();
        var decoded = Assert.IsType<FetchRequest>(MessageCodec.Decode(MessageCodec.Encode(new FetchRequest(correlation, replica, partitions), Limits), Limits));
        Assert.Equal(correlation, decoded.CorrelationId);
        Assert.Equal(replica, decoded.ReplicaId);
        Assert.Equal(partitions, decoded.Partitions);
    }

    [Property(MaxTest = 300)]
    public void FetchResponse_AnyFields_RoundTrips(int correlation, (string?, int, long, long, int, long, byte[]?)[] parts, byte errorPick)
    {
        var errors = Enum.GetValues<ReplicationErrorCode>();
        var partitions = (parts ?? []).Take(Limits.MaxPartitions)
            .Select(p => new FetchPartitionResponse(Topic(p.Item1), p.Item2, errors[errorPick % errors.Length], p.Item3, p.Item4, p.Item5, p.Item6,
                Records(p.Item7))).ToArray();
        var decoded = Assert.IsType<FetchResponse>(MessageCodec.Decode(MessageCodec.Encode(new FetchResponse(correlation, partitions), Limits), Limits));
        Assert.Equal(correlation, decoded.CorrelationId);
        Assert.Equal(partitions.Length, decoded.Partitions.Count);
        for (var i = 0; i < partitions.Length; i++)
        {
            Assert.Equal(partitions[i] with { Records = default }, decoded.Partitions[i] with { Records = default });
            Assert.Equal(partitions[i].Records.ToArray(), decoded.Partitions[i].Records.ToArray());
        }
    }

    [Property(MaxTest = 300)]
    public void Produce_AnyFields_RoundTrip(int correlation, string? topic, int partition, short acks, int timeout, byte[]? records, long offset, long time)
    {
        var request = new ProduceRequest(correlation, Topic(topic), partition, acks, timeout, Records(records));
        var decoded = Assert.IsType<ProduceRequest>(MessageCodec.Decode(MessageCodec.Encode(request, Limits), Limits));
        Assert.Equal(request with { Records = default }, decoded with { Records = default });
        Assert.Equal(request.Records.ToArray(), decoded.Records.ToArray());
        var response = new ProduceResponse(correlation, Topic(topic), partition, ReplicationErrorCode.NotEnoughReplicasAfterAppend, offset, time, offset ^ time);
        Assert.Equal(response, MessageCodec.Decode(MessageCodec.Encode(response, Limits), Limits));
    }

    [Property(MaxTest = 200)]
    public void Decode_AnyTruncation_ThrowsFormatError(int correlation, byte[]? records, int cut)
    {
        var bytes = MessageCodec.Encode(new FetchResponse(correlation,
            [new FetchPartitionResponse("orders", 1, ReplicationErrorCode.None, 5, 0, -1, -1, Records(records))]), Limits);
        var length = (int)((uint)cut % (uint)bytes.Length);
        Assert.Throws<ProtocolFormatException>(() => MessageCodec.Decode(bytes.AsSpan(0, length), Limits));
    }

    [Fact]
    public void Decode_HugeCounts_RejectedBeforeAllocating()
    {
        var bytes = MessageCodec.Encode(new FetchRequest(7, 1, []), Limits);
        foreach (var count in new[] { int.MaxValue, -1, Limits.MaxPartitions + 1, 1_000 })
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(10), count);
            var before = GC.GetAllocatedBytesForCurrentThread();
            var error = Assert.Throws<ProtocolFormatException>(() => MessageCodec.Decode(bytes, Limits));
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 * 1024, $"count {count} allocated too much");
            Assert.Contains("count", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Decode_HugeRecordLength_RejectedNamingTheLimit()
    {
        var bytes = MessageCodec.Encode(new ProduceRequest(1, "t", 0, -1, 1000, new byte[10]), Limits);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(bytes.Length - 14), int.MaxValue);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<ProtocolFormatException>(() => MessageCodec.Decode(bytes, Limits));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 * 1024);
        Assert.Contains("4096", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_UnknownKindVersionOrError_Rejected()
    {
        var bytes = MessageCodec.Encode(new ProduceResponse(1, "t", 0, ReplicationErrorCode.None, 0, -1, 0), Limits);
        Assert.Contains("kind", Assert.Throws<ProtocolFormatException>(() => MessageCodec.Decode([99, .. bytes[1..]], Limits)).Message, StringComparison.Ordinal);
        Assert.Contains("version", Assert.Throws<ProtocolFormatException>(() => MessageCodec.Decode([bytes[0], 7, .. bytes[2..]], Limits)).Message, StringComparison.Ordinal);
        var badError = (byte[])bytes.Clone();
        badError[6 + 2 + 1 + 4] = 0x7F;
        Assert.Contains("error code", Assert.Throws<ProtocolFormatException>(() => MessageCodec.Decode(badError, Limits)).Message, StringComparison.Ordinal);
        Assert.Contains("trailing", Assert.Throws<ProtocolFormatException>(() => MessageCodec.Decode([.. bytes, 0], Limits)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_RandomBytes_OnlyFormatErrorsAndBoundedAllocation()
    {
        var random = new Random(20261125);
        var samples = new List<byte[]>();
        for (var i = 0; i < 5_000; i++)
        {
            var data = new byte[random.Next(0, 200)];
            random.NextBytes(data);
            if (data.Length > 1 && random.Next(2) == 0)
            {
                data[0] = (byte)random.Next(1, 5);
                data[1] = 0;
            }

            samples.Add(data);
        }

        foreach (var data in samples)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                MessageCodec.Decode(data, Limits);
            }
            catch (ProtocolFormatException)
            {
            }

            // Nothing beyond the input size plus small per-message overhead, whatever the declared counts and lengths.
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < (16 * 1024) + (data.Length * 8));
        }
    }

    private static string Topic(string? s) => s is null ? "t" : new string(s.Where(c => c < 128).Take(100).ToArray());

    private static ReadOnlyMemory<byte> Records(byte[]? b) => b is null ? ReadOnlyMemory<byte>.Empty : b.AsMemory(0, Math.Min(b.Length, Limits.MaxRecordsBytes));
}
