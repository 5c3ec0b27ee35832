using System.Collections.Concurrent;
using System.Globalization;
using CommitLog.Replication.Protocol;
using CommitLog.Storage;

namespace CommitLog.Replication.Cluster;

/// <content>
/// Batches and transport frames: a batch is replicated inside one frame (a fetch answer carries at least one whole
/// batch, a forwarded produce carries the producer's batches), so no replicated topic may accept a batch larger than
/// <see cref="FrameBudget"/> allows. Topic settings that would allow one are refused; a produce larger than the budget is
/// refused before it is sent; a fetch answer that would not fit a frame (a batch written before under a larger limit)
/// is answered with <see cref="ReplicationErrorCode.MessageTooLarge"/> instead of closing the connection.
/// </content>
internal sealed partial class NodeHost
{
    /// <summary>The partitions and offsets whose too-large batch was already logged (logged once each, counted every time).</summary>
    private readonly ConcurrentDictionary<(TopicPartition Partition, long Offset), byte> _oversizedLogged = new();

    /// <summary>Gets this node's instruments (tests read them).</summary>
    internal ClusterMetrics ClusterMetrics => _metrics;

    /// <summary>Gets the most record bytes one batch, or one produce's batch set, may have on this node.</summary>
    public int MaxReplicatedBatchBytes => FrameBudget.For(_options.Transport.MaxFrameBytes);

    /// <summary>Throws when <paramref name="config"/> lets <paramref name="topic"/> accept a batch larger than this node can
    /// replicate (the broker calls this when a replicated topic is created or its settings change).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><c>max.message.bytes</c> is above the budget; the message says what to change.</exception>
    public void CheckTopicConfig(string topic, TopicConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        CheckMaxMessageBytes($"Topic '{topic}'", config.MaxMessageBytes, "the topic's max.message.bytes setting");
    }

    /// <summary>Refuses to start when the broker's default topic settings (which every topic created through the cluster and
    /// <c>__consumer_offsets</c> get) allow batches larger than this node can replicate.</summary>
    internal static void CheckBrokerDefaults(ClusterNodeOptions options)
    {
        CheckMaxMessageBytes(options.NodeId, options.Transport.MaxFrameBytes, FrameBudget.For(options.Transport.MaxFrameBytes),
            $"The broker's default topic settings (used by every topic created through the cluster and by {Groups.OffsetsTopic.Name})",
            options.BrokerOptions.DefaultTopicConfig.MaxMessageBytes, "ClusterNodeOptions.BrokerOptions.DefaultTopicConfig.MaxMessageBytes");
    }

    /// <summary>Checks the stored settings of the replicated topics the broker opened.</summary>
    private void CheckOpenedTopics(Broker broker)
    {
        foreach (var topic in broker.ListTopics().Append(Groups.OffsetsTopic.Name).Where(IsReplicated))
        {
            if (broker.TryGetPartitionCount(topic, out _))
            {
                CheckMaxMessageBytes($"Topic '{topic}' (stored in {_options.DataDirectory})", broker.GetTopicConfig(topic).MaxMessageBytes,
                    "the topic's max.message.bytes setting (alter it on a standalone Broker opened on this directory)");
            }
        }
    }

    private void CheckMaxMessageBytes(string what, int maxMessageBytes, string where)
        => CheckMaxMessageBytes(NodeId, _options.Transport.MaxFrameBytes, MaxReplicatedBatchBytes, what, maxMessageBytes, where);

    private static void CheckMaxMessageBytes(int nodeId, int maxFrameBytes, int budget, string what, int maxMessageBytes, string where)
    {
        if (maxMessageBytes <= budget)
        {
            return;
        }

        var protocolMax = Protocol.ProtocolLimits.Default.MaxRecordsBytes;
        var raise = maxMessageBytes <= protocolMax
            ? string.Create(CultureInfo.InvariantCulture,
                $", or raise the transport's MaxFrameBytes to at least {(long)maxMessageBytes + FrameBudget.Overhead} on every node")
            : string.Create(CultureInfo.InvariantCulture, $" (the replication protocol carries at most {protocolMax} record bytes per partition)");
        throw new ArgumentOutOfRangeException("max.message.bytes", maxMessageBytes, string.Create(CultureInfo.InvariantCulture,
            $"{what}: max.message.bytes is {maxMessageBytes}, but cluster node {nodeId} can replicate batches " +
            $"of at most {budget} bytes: its transport's MaxFrameBytes is {maxFrameBytes} and a replication message needs " +
            $"{FrameBudget.Overhead} bytes around the records. Set max.message.bytes to {budget} or less ({where}){raise}."));
    }

    /// <summary>Refuses a produce whose batches could not travel in one frame, before it goes anywhere.</summary>
    private void CheckProduceSize(string name, int bytes)
    {
        var budget = MaxReplicatedBatchBytes;
        if (bytes > budget)
        {
            throw new ReplicationException(ErrorCode.MessageTooLarge, string.Create(CultureInfo.InvariantCulture,
                $"The records for {name} are {bytes} bytes; cluster node {NodeId} replicates at most {budget} bytes per produce " +
                $"(its transport's MaxFrameBytes {_options.Transport.MaxFrameBytes} minus {FrameBudget.Overhead} bytes of message " +
                $"headers). Send smaller batches (batch.size, fewer or smaller records) or raise MaxFrameBytes on every node."),
                null, retriable: false);
        }
    }

    /// <summary>Returns <paramref name="message"/>, or, for a fetch answer larger than a frame, the same answer with the
    /// batches that do not fit left out: each partition keeps the whole batches that fit <see cref="MaxReplicatedBatchBytes"/>;
    /// a partition whose first batch alone is larger is answered with <see cref="ReplicationErrorCode.MessageTooLarge"/>
    /// (logged and counted); a partition that only overflows together with the ones before it is answered empty (the
    /// follower fetches it again).</summary>
    internal ReplicationMessage FitFrame(ReplicationMessage message)
    {
        var maxFrame = _options.Transport.MaxFrameBytes;
        if (message is not FetchResponse response || FrameBudget.UpperBound(response) <= maxFrame
            || FrameBudget.EncodedSize(response) <= maxFrame)
        {
            return message;
        }

        var budget = MaxReplicatedBatchBytes;
        var fitted = new List<FetchPartitionResponse>(response.Partitions.Count);
        foreach (var p in response.Partitions)
        {
            var keep = WholeBatchesWithin(p.Records.Span, budget);
            if (keep == 0 && !p.Records.IsEmpty)
            {
                OversizedBatch(p, budget);
                fitted.Add(p with { Error = ReplicationErrorCode.MessageTooLarge, Records = ReadOnlyMemory<byte>.Empty });
                continue;
            }

            fitted.Add(p with { Records = p.Records[..keep] });
            if (FrameBudget.EncodedSize(response with { Partitions = fitted }) > maxFrame)
            {
                fitted[^1] = p with { Records = ReadOnlyMemory<byte>.Empty };
            }
        }

        return response with { Partitions = fitted };
    }

    /// <summary>Returns the length of the longest run of whole batches at the start of <paramref name="records"/> that is at
    /// most <paramref name="limit"/> bytes.</summary>
    private static int WholeBatchesWithin(ReadOnlySpan<byte> records, int limit)
    {
        var end = 0;
        while (records.Length - end >= RecordBatchHeader.LogOverhead)
        {
            var size = (long)RecordBatchHeader.ReadTotalSize(records[end..]);
            if (size < RecordBatchHeader.LogOverhead || end + size > Math.Min(limit, records.Length))
            {
                break;
            }

            end += (int)size;
        }

        return end;
    }

    private void OversizedBatch(FetchPartitionResponse p, int budget)
    {
        var records = p.Records.Span;
        var baseOffset = records.Length >= 8 ? System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(records) : -1;
        var size = records.Length >= RecordBatchHeader.LogOverhead ? RecordBatchHeader.ReadTotalSize(records) : records.Length;
        var tp = new TopicPartition(p.Topic, p.Partition);
        _metrics.OversizedFetch();
        if (_oversizedLogged.TryAdd((tp, baseOffset), 0))
        {
            ClusterLog.OversizedBatch(_logger, NodeId, p.Topic, p.Partition, baseOffset, size, budget, _options.Transport.MaxFrameBytes);
        }
    }
}
