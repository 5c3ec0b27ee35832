using CommitLog.Replication.Cluster;
using CommitLog.Replication.Protocol;
using CommitLog.Storage;

namespace CommitLog.Replication.Tests.Cluster;

/// <summary>
/// A batch is replicated inside one transport frame, so a cluster node refuses topic settings that allow larger batches,
/// refuses a larger produce before sending it (the connection stays open), and replicates a batch of exactly the budget.
/// Frames here are 64 KiB, so the budget is 64 KiB minus the 299 bytes of a fetch answer around its records.
/// </summary>
public sealed class ClusterFrameLimitTests
{
    private const int Frame = 64 * 1024;

    /// <summary>A topic name of the longest allowed length, so a fetch answer of a budget-sized batch fills a frame exactly.</summary>
    private static readonly string Topic = "orders-" + new string('o', 249 - 7);
    private static readonly TopicPartition Orders = new(Topic, 0);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static int Budget => FrameBudget.For(Frame);

    private static BrokerOptions FittingBroker => new() { DefaultTopicConfig = new TopicConfig { MaxMessageBytes = Budget } };

    [Fact]
    public void FrameBudget_LongestTopic_FetchAnswerWithBudgetRecordsFillsFrameExactly()
    {
        var topic = new string('t', 249);
        FetchResponse Answer(int records) => new(int.MaxValue, [new FetchPartitionResponse(topic, int.MaxValue, ReplicationErrorCode.None,
            long.MaxValue, long.MaxValue, int.MaxValue, long.MaxValue, new byte[records])]);

        // kind, version, correlation id (6), partition count (4), topic (2 + 249), partition, error, HW, log start,
        // diverging epoch and end offset (4 + 2 + 8 + 8 + 4 + 8), records length (4).
        Assert.Equal(6 + 4 + 2 + 249 + 4 + 2 + 8 + 8 + 4 + 8 + 4, FrameBudget.Overhead);
        Assert.Equal(Frame, MessageCodec.Encode(Answer(Budget)).Length);
        Assert.True(MessageCodec.Encode(new ProduceRequest(1, topic, 0, ProduceRequest.AcksAll, 1, new byte[Budget])).Length <= Frame);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Start_DefaultMaxMessageBytesAboveFrameBudget_RefusedNamingValueLimitAndSetting(bool tcp)
    {
        // The broker's default max.message.bytes (1048588) cannot travel in a 64 KiB frame.
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
        {
            await using var cluster = await TestCluster.StartAsync(1, tcp, Ct, maxFrameBytes: Frame);
        });

        Assert.Equal("max.message.bytes", error.ParamName);
        Assert.Contains("max.message.bytes is 1048588", error.Message, StringComparison.Ordinal);
        Assert.Contains($"at most {Budget} bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains($"MaxFrameBytes is {Frame}", error.Message, StringComparison.Ordinal);
        Assert.Contains("DefaultTopicConfig.MaxMessageBytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("__consumer_offsets", error.Message, StringComparison.Ordinal);
        Assert.Contains($"MaxFrameBytes to at least {1048588 + 299}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TopicConfig_MaxMessageBytesAboveBudget_RefusedAtCreateAndAlterAndUnchanged()
    {
        await using var cluster = await TestCluster.StartAsync(1, tcp: false, Ct, maxFrameBytes: Frame, brokerOptions: FittingBroker);
        var node = cluster.Node(0);
        await node.CreateTopicAsync("orders", 1, 1, minInsyncReplicas: 1, cancellationToken: Ct);

        var altered = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
            await node.Broker.Admin.AlterTopicConfigAsync("orders", new TopicConfig { MaxMessageBytes = Budget + 1 }, Ct));
        AssertNamesLimit(altered, "Topic 'orders'", Budget + 1);
        Assert.Equal(Budget, node.Broker.GetTopicConfig("orders").MaxMessageBytes);

        var created = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
            await node.Broker.Admin.CreateTopicAsync("direct", 1, new TopicConfig { MaxMessageBytes = 4 * 1024 * 1024 }, Ct));
        AssertNamesLimit(created, "Topic 'direct'", 4 * 1024 * 1024);
        Assert.False(node.Broker.TryGetPartitionCount("direct", out _));

        // The budget itself is allowed.
        await node.Broker.Admin.AlterTopicConfigAsync("orders", new TopicConfig { MaxMessageBytes = Budget - 1 }, Ct);
        await node.Broker.Admin.AlterTopicConfigAsync("orders", new TopicConfig { MaxMessageBytes = Budget }, Ct);
        Assert.Equal(Budget, node.Broker.GetTopicConfig("orders").MaxMessageBytes);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Produce_BatchAboveBudgetOnFollowerNode_RecordTooLargeThenNormalAcksAllProduceReplicates(bool tcp)
    {
        await using var cluster = await StartOrdersAsync(tcp);
        var leader = (await cluster.Node(0).WaitForLeaderAsync(Orders, Ct)).Leader;
        var follower = (leader + 1) % 3;
        await using var producer = cluster.Node(follower).Broker.CreateProducer<Null, string>(ProducerConfig());

        // Larger than a whole frame: forwarded as it is, it would close the connection to the leader.
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
            await producer.ProduceAsync(Topic, new Message<Null, string> { Value = new string('x', Frame) }, Ct));
        var replication = Assert.IsType<ReplicationException>(error);
        Assert.Equal(ErrorCode.MessageTooLarge, replication.ErrorCode);
        Assert.False(replication.IsRetriable);
        Assert.Contains($"at most {Budget} bytes per produce", replication.Message, StringComparison.Ordinal);

        // The same producer, node and connection still work: acks=all means every replica has it.
        var ok = await producer.ProduceAsync(Topic, new Message<Null, string> { Value = "small" }, Ct)
            .AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(Durability.Replicated, ok.Durability);
        Assert.Equal(0, ok.Offset.Value);
        await cluster.WaitForReplicasInSyncAsync(Orders, TimeSpan.FromSeconds(10), Ct);
        for (var node = 0; node < 3; node++)
        {
            Assert.Equal([new KeyValuePair<long, string>(0, "small")], cluster.ReadReplica(node, Orders));
        }
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(true, false)]
    public async Task Produce_BatchExactlyAtBudget_ReplicatesToAllReplicas(bool tcp, bool onFollowerNode)
    {
        await using var cluster = await StartOrdersAsync(tcp);
        var leader = (await cluster.Node(0).WaitForLeaderAsync(Orders, Ct)).Leader;
        var from = onFollowerNode ? (leader + 1) % 3 : leader;
        await using var producer = cluster.Node(from).Broker.CreateProducer<Null, string>(ProducerConfig());
        var value = new string('v', ValueLengthForBatch(Budget));

        var result = await producer.ProduceAsync(Topic, new Message<Null, string> { Value = value }, Ct)
            .AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);
        var after = await producer.ProduceAsync(Topic, new Message<Null, string> { Value = "after" }, Ct)
            .AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(Durability.Replicated, result.Durability);
        Assert.Equal(1, after.Offset.Value);
        Assert.True(cluster.Node(leader).Broker.TryGetPartitionLog(Orders, out var log));
        using (var read = log.Read(0, 1, ReadLimit.LogEnd))
        {
            Assert.Equal(Budget, RecordBatch.ReadAll(read.Records).First().Header.TotalSize);
        }

        await cluster.WaitForReplicasInSyncAsync(Orders, TimeSpan.FromSeconds(10), Ct);
        for (var node = 0; node < 3; node++)
        {
            Assert.Equal([new(0, value), new KeyValuePair<long, string>(1, "after")], cluster.ReadReplica(node, Orders));
        }
    }

    private static async Task<TestCluster> StartOrdersAsync(bool tcp)
    {
        var cluster = await TestCluster.StartAsync(3, tcp, Ct, maxFrameBytes: Frame, brokerOptions: FittingBroker);
        try
        {
            await cluster.Node(0).CreateTopicAsync(Topic, 1, 3, minInsyncReplicas: 2, cancellationToken: Ct);
            await cluster.WaitForTopicEverywhereAsync(Topic, Ct);
            await cluster.Node(0).WaitForMetadataAsync(m => m.Partitions[Orders].Isr.Count == 3, Ct);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private static void AssertNamesLimit(ArgumentOutOfRangeException error, string what, int value)
    {
        Assert.Equal("max.message.bytes", error.ParamName);
        Assert.Contains(what, error.Message, StringComparison.Ordinal);
        Assert.Contains($"max.message.bytes is {value}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"at most {Budget} bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains($"Set max.message.bytes to {Budget} or less", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The value length that makes an uncompressed one-record batch (no key, no headers) exactly
    /// <paramref name="batchBytes"/> long: the 61-byte header, then the record's length varint and its body (attributes,
    /// timestamp delta 0, offset delta 0, key length -1, value length varint, value, header count 0).</summary>
    private static int ValueLengthForBatch(int batchBytes)
    {
        for (var value = batchBytes - RecordBatchHeader.Size; value > 0; value--)
        {
            var body = 1 + 1 + 1 + 1 + VarintBytes(value) + value + 1;
            if (RecordBatchHeader.Size + VarintBytes(body) + body == batchBytes)
            {
                return value;
            }
        }

        throw new InvalidOperationException($"No value length gives a {batchBytes}-byte batch.");
    }

    private static int VarintBytes(int value)
    {
        var zigzag = (uint)((value << 1) ^ (value >> 31));
        var bytes = 1;
        while (zigzag >= 0x80)
        {
            zigzag >>= 7;
            bytes++;
        }

        return bytes;
    }

    private static ProducerConfig ProducerConfig() => new(new Dictionary<string, string>
    {
        ["acks"] = "all",
        ["enable.idempotence"] = "true",
        ["linger.ms"] = "0",
        ["compression.type"] = "none",
        ["request.timeout.ms"] = "5000",
        ["delivery.timeout.ms"] = "10000",
    });
}
