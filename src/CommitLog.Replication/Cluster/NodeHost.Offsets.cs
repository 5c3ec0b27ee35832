using CommitLog.Groups;
using CommitLog.Replication.Control;

namespace CommitLog.Replication.Cluster;

/// <content>
/// Committed offsets on a cluster: <c>__consumer_offsets</c> is a replicated topic like any other (so a commit is
/// acknowledged by the in-sync replicas and survives the loss of a node), created through the control plane the first
/// time a node needs it, and created locally on each node, with the broker's offsets-topic settings, when the metadata
/// names it.
/// </content>
internal sealed partial class NodeHost : IReplicatedOffsetsTopic
{
    /// <summary>The most replicas of <c>__consumer_offsets</c> (Kafka's <c>offsets.topic.replication.factor</c> default).</summary>
    private const int OffsetsReplicationFactor = 3;

    /// <summary>The <c>min.insync.replicas</c> of <c>__consumer_offsets</c>, at most its replication factor.</summary>
    private const int OffsetsMinInsyncReplicas = 2;

    public async ValueTask EnsureOffsetsTopicAsync(int partitions, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
        if (Metadata.Topics.ContainsKey(OffsetsTopic.Name) && Broker.TryGetPartitionCount(OffsetsTopic.Name, out _))
        {
            return;
        }

        var control = _options.ControlPlane;
        if (!control.Metadata.Topics.ContainsKey(OffsetsTopic.Name))
        {
            var live = control.Metadata.Brokers.Values.Count(b => !b.IsFenced);
            var replicationFactor = Math.Clamp(live, 1, OffsetsReplicationFactor);
            var topic = new ReplicatedTopic(OffsetsTopic.Name, partitions, replicationFactor,
                Math.Min(OffsetsMinInsyncReplicas, replicationFactor), UncleanLeaderElection: false);
            try
            {
                await control.CreateTopicAsync(topic, cancellationToken).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Another node may have created it first: the wait below decides.
            catch (Exception) when (!cancellationToken.IsCancellationRequested && control.Metadata.Topics.ContainsKey(OffsetsTopic.Name))
#pragma warning restore CA1031
            {
            }
        }

        await WaitForMetadataAsync(m => m.Topics.ContainsKey(OffsetsTopic.Name) && Broker.TryGetPartitionCount(OffsetsTopic.Name, out _),
            cancellationToken).ConfigureAwait(false);
    }

    public bool HoldsReplica(TopicPartition topicPartition)
        => Metadata.Partitions.TryGetValue(topicPartition, out var state) && state.Replicas.Contains(NodeId);

    /// <summary>Creates this node's copy of a topic the metadata names: <c>__consumer_offsets</c> with the broker's offsets-topic
    /// settings (compacted, its flush policy), any other topic with the broker's defaults.</summary>
    private async Task CreateLocalTopicAsync(ReplicatedTopic topic, CancellationToken cancellationToken)
    {
        if (topic.Name == OffsetsTopic.Name)
        {
            await Broker.CreateLocalOffsetsTopicAsync(topic.PartitionCount, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await Broker.Admin.CreateTopicAsync(topic.Name, topic.PartitionCount, null, cancellationToken).ConfigureAwait(false);
        }
    }
}
