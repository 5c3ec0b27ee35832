using CommitLog.Replication.Control;

namespace CommitLog.Replication.Tests.Cluster;

/// <summary>One node's <see cref="IControlPlane"/> over a shared <see cref="MetadataAuthority"/>: starting registers the
/// node (unfenced), disposing fences it, as a consensus control plane does when a node's session ends.</summary>
internal sealed class AuthorityControlPlane(MetadataAuthority authority, int nodeId, string address) : IControlPlane
{
    private int _disposed;

    public int NodeId => nodeId;

    public ClusterMetadata Metadata => authority.Current;

    public ValueTask StartAsync(CancellationToken cancellationToken = default)
    {
        authority.Apply(new RegisterBroker(nodeId, address));
        return ValueTask.CompletedTask;
    }

    public async ValueTask<ClusterMetadata> WaitForChangeAsync(long afterVersion, CancellationToken cancellationToken = default)
        => await authority.WaitForChangeAsync(afterVersion, cancellationToken).ConfigureAwait(false);

    public ValueTask<ClusterMetadata> CreateTopicAsync(ReplicatedTopic topic, CancellationToken cancellationToken = default)
    {
        var change = authority.CreateTopic(topic);
        return change.Accepted
            ? ValueTask.FromResult(change.Metadata)
            : ValueTask.FromException<ClusterMetadata>(new InvalidOperationException(change.RejectReason));
    }

    public ValueTask<PartitionState> AlterIsrAsync(
        TopicPartition topicPartition, int leaderEpoch, int partitionEpoch, IReadOnlyList<int> isr, CancellationToken cancellationToken = default)
    {
        var change = authority.Apply(new AlterIsr(topicPartition, leaderEpoch, partitionEpoch, isr));
        return ValueTask.FromResult(change.Metadata.Partitions[topicPartition]);
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            authority.Apply(new FenceBroker(nodeId));
        }

        return ValueTask.CompletedTask;
    }
}
