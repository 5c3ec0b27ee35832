using CommitLog.Groups;
using CommitLog.Groups.Coordinator;
using CommitLog.Groups.Membership;
using Microsoft.Extensions.Logging;

namespace CommitLog;

/// <content>Consumer groups: the broker's group coordinator and the factory of group members.</content>
public sealed partial class Broker
{
    /// <summary>Gets the group coordinator of this broker (created with it, stopped when it is disposed).</summary>
    internal GroupCoordinator Groups { get; }

    /// <summary>Creates the membership of a subscribing consumer in its group (<c>group.id</c> of <paramref name="config"/>).</summary>
    /// <param name="config">The consumer's settings.</param>
    /// <param name="logger">The consumer's logger.</param>
    /// <returns>The membership; dispose it with the consumer.</returns>
    /// <exception cref="ArgumentException"><c>group.id</c> is not set.</exception>
    internal IGroupMembership CreateGroupMembership(ConsumerConfig config, ILogger logger)
    {
        ThrowIfDisposed();
        // On a cluster node every join first waits for the replicated committed offsets (a standalone broker skips it).
        return new GroupMembership(CoordinatorClient, new BrokerTopicMetadata(this), config, _options.TimeProvider, logger,
            ReplicatedOffsets is null ? null : OffsetStore.CatchUpAsync);
    }

    /// <summary>Gets the cluster's one-coordinator-per-group routing, or <see langword="null"/> on a standalone broker (and on a
    /// cluster node that keeps <c>__consumer_offsets</c> local).</summary>
    internal IClusterGroupCoordinator? ClusterCoordinator
        => ReplicatedOffsets is not null ? _options.Replication as IClusterGroupCoordinator : null;

    /// <summary>Gets how this broker's group members reach their coordinator: <see cref="Groups"/> itself on a standalone
    /// broker; on a cluster node, the coordinator of each group wherever it runs (the leader of the group's offsets partition).</summary>
    internal IGroupCoordinatorClient CoordinatorClient => (IGroupCoordinatorClient?)ClusterCoordinator ?? Groups;

    private GroupCoordinator CreateGroupCoordinator()
        => new(_options.TimeProvider, _options.GroupInitialRebalanceDelay, _options.LoggerFactory.CreateLogger("CommitLog.Groups"));

    /// <summary>The broker's topics as group members see them.</summary>
    private sealed class BrokerTopicMetadata(Broker broker) : IGroupTopicMetadata
    {
        public bool TryGetPartitionCount(string topic, out int count) => broker.TryGetPartitionCount(topic, out count);

        // Internal topics are left out, as Kafka's exclude.internal.topics does; no disposed check (a closing member may ask).
        public IReadOnlyList<string> ListTopics() => [.. broker._topics.Keys.Where(name => !OffsetsTopic.IsInternal(name))];
    }
}
