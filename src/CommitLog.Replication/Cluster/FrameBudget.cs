using CommitLog.Replication.Protocol;

namespace CommitLog.Replication.Cluster;

/// <summary>
/// The one place that decides how large a record batch a cluster node can replicate: a fetch answer carries at least one
/// whole batch and a forwarded produce carries the producer's batches, and each must fit one transport frame. The
/// budget is the frame size (<see cref="Transport.IReplicationTransport.MaxFrameBytes"/>) minus the larger of the two
/// messages' bytes around the records (measured with the codec, for a topic name of the longest allowed length), and at
/// most what the decoder accepts in one partition entry (<see cref="ProtocolLimits.MaxRecordsBytes"/>).
/// </summary>
internal static class FrameBudget
{
    /// <summary>Gets the bytes of a one-partition fetch answer around its records, for a topic name of the longest allowed
    /// length (299 with the version-0 codec).</summary>
    public static int FetchAnswerOverhead { get; } = MessageCodec.Encode(new FetchResponse(int.MaxValue,
        [new FetchPartitionResponse(LongestTopic, int.MaxValue, ReplicationErrorCode.None, long.MaxValue, long.MaxValue, int.MaxValue,
            long.MaxValue, ReadOnlyMemory<byte>.Empty)])).Length;

    /// <summary>Gets the bytes of a produce request around its records, for a topic name of the longest allowed length
    /// (271 with the version-0 codec).</summary>
    public static int ProduceRequestOverhead { get; } = MessageCodec.Encode(new ProduceRequest(int.MaxValue, LongestTopic, int.MaxValue,
        ProduceRequest.AcksAll, int.MaxValue, ReadOnlyMemory<byte>.Empty)).Length;

    /// <summary>Gets the larger of <see cref="FetchAnswerOverhead"/> and <see cref="ProduceRequestOverhead"/>.</summary>
    public static int Overhead { get; } = Math.Max(FetchAnswerOverhead, ProduceRequestOverhead);

    private static string LongestTopic => new('x', ProtocolLimits.Default.MaxTopicBytes);

    /// <summary>Returns the most record bytes one batch (or one produce's batch set) may have on a node whose transport
    /// frames carry at most <paramref name="maxFrameBytes"/> bytes; 0 when the frame cannot carry even the headers.</summary>
    public static int For(int maxFrameBytes)
        => Math.Clamp(maxFrameBytes - Overhead, 0, ProtocolLimits.Default.MaxRecordsBytes);

    /// <summary>Returns the exact encoded size of <paramref name="response"/> without encoding its records.</summary>
    public static long EncodedSize(FetchResponse response)
    {
        long records = 0;
        var empty = new List<FetchPartitionResponse>(response.Partitions.Count);
        foreach (var p in response.Partitions)
        {
            records += p.Records.Length;
            empty.Add(p with { Records = ReadOnlyMemory<byte>.Empty });
        }

        return MessageCodec.Encode(response with { Partitions = empty }).Length + records;
    }

    /// <summary>Returns a quick upper bound of <paramref name="response"/>'s encoded size (every topic name taken as the longest).</summary>
    public static long UpperBound(FetchResponse response)
    {
        long size = FetchAnswerOverhead;
        foreach (var p in response.Partitions)
        {
            size += FetchAnswerOverhead + p.Records.Length;
        }

        return size;
    }
}
