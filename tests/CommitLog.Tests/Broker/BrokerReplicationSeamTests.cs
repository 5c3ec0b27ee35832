using System.Collections.Concurrent;
using CommitLog.Storage;
using static CommitLog.Tests.Producer.ProducerTestKit;

namespace CommitLog.Tests.Broker;

/// <summary>The seam a cluster node plugs into: producer appends to replicated topics go through it with the producer's acks;
/// producer ids carry the node id so two nodes never share one.</summary>
public sealed class BrokerReplicationSeamTests
{
    [Theory]
    [InlineData(Acks.All)]
    [InlineData(Acks.Leader)]
    public async Task Produce_ReplicatedTopic_AppendGoesThroughTheNodeWithTheProducersAcks(Acks expected)
    {
        var node = new RecordingReplication(nodeId: 5);
        await using var broker = CommitLog.Broker.CreateInMemory(new BrokerOptions { Replication = node });
        node.Broker = broker;
        await broker.Admin.CreateTopicAsync("orders", 1, cancellationToken: Ct);
        await using var producer = broker.CreateProducer<string, string>(Settings(acks: expected, idempotence: expected == Acks.All));

        var result = await producer.ProduceAsync("orders", new Message<string, string> { Key = "k", Value = "v" }, Ct);

        Assert.Equal(0, result.Offset.Value);
        var (tp, recordedAcks) = Assert.Single(node.Appends);
        Assert.Equal(new TopicPartition("orders", 0), tp);
        Assert.Equal(expected, recordedAcks);
    }

    [Fact]
    public async Task AllocateProducerId_ClusterNode_IdsCarryTheNodeIdAndNeverRepeat()
    {
        var node = new RecordingReplication(nodeId: 7);
        await using var broker = CommitLog.Broker.CreateInMemory(new BrokerOptions { Replication = node });

        long[] ids = [broker.AllocateProducerId(), broker.AllocateProducerId(), broker.AllocateProducerId()];

        Assert.All(ids, id => Assert.Equal(7, id % CommitLog.Broker.MaxClusterNodes));
        Assert.Equal(3, ids.Distinct().Count());
    }

    [Fact]
    public async Task Produce_StandaloneBroker_AppendsLocally()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        await broker.Admin.CreateTopicAsync("orders", 1, cancellationToken: Ct);
        await using var producer = broker.CreateProducer<string, string>(Settings());

        var result = await producer.ProduceAsync("orders", new Message<string, string> { Key = "k", Value = "v" }, Ct);

        Assert.Equal(0, result.Offset.Value);
        Assert.Equal(1, broker.AllocateProducerId()); // the producer took id 0: no node id mixed in
    }

    private sealed class RecordingReplication(int nodeId) : IPartitionReplication
    {
        public ConcurrentQueue<(TopicPartition, Acks)> Appends { get; } = new();

        public CommitLog.Broker? Broker { get; set; }

        public int NodeId => nodeId;

        public bool IsReplicated(string topic) => !topic.StartsWith("__", StringComparison.Ordinal);

        public bool WaitForTopic(string topic, TimeSpan timeout) => Broker!.TryGetPartitionCount(topic, out _);

        public ValueTask<AppendResult> AppendAsync(TopicPartition topicPartition, Memory<byte> batches, Acks acks, CancellationToken cancellationToken)
        {
            Appends.Enqueue((topicPartition, acks));
            return Broker!.AppendAsync(topicPartition, batches, cancellationToken);
        }
    }
}
