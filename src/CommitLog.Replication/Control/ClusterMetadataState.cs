namespace CommitLog.Replication.Control;

/// <summary>
/// The control plane's state machine: applies <see cref="MetadataCommand"/>s to <see cref="ClusterMetadata"/>,
/// deterministically, so every node that applies the same committed commands holds the same metadata. It decides
/// leader elections and ISR changes by Kafka's rules: a new leader comes from the ISR; a stale leader's or stale
/// view's change is rejected by its epochs.
/// </summary>
public static class ClusterMetadataState
{
    /// <summary>The most partitions a replicated topic may have.</summary>
    public const int MaxPartitions = 10_000;

    /// <summary>Applies one command.</summary>
    /// <param name="current">The metadata before the command.</param>
    /// <param name="command">The command.</param>
    /// <returns>The metadata after it (version + 1 when accepted), or the unchanged metadata and the reason it was rejected.</returns>
    public static MetadataChange Apply(ClusterMetadata current, MetadataCommand command)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(command);
        var builder = new MetadataBuilder(current);
        var rejection = command switch
        {
            RegisterBroker c => builder.Register(c.NodeId, c.Address),
            FenceBroker c => builder.Fence(c.NodeId),
            UnfenceBroker c => builder.Unfence(c.NodeId),
            CreateTopic c => builder.CreateTopic(c.Topic, c.Assignment),
            AlterIsr c => builder.AlterIsr(c.TopicPartition, c.LeaderEpoch, c.PartitionEpoch, c.Isr),
            ElectLeader c => builder.Elect(c.TopicPartition, c.NodeId, c.AllowUnclean),
            _ => $"Unknown metadata command {command.GetType().Name}.",
        };
        return rejection is null
            ? new MetadataChange(builder.Build(current.Version + 1), true, null, builder.Elections)
            : new MetadataChange(current, false, rejection, []);
    }

    /// <summary>Returns <paramref name="current"/> with <paramref name="controllerId"/> as the controller (no new version: who
    /// leads the control plane is not itself a committed change).</summary>
    /// <param name="current">The metadata.</param>
    /// <param name="controllerId">The controller's node id, or -1.</param>
    public static ClusterMetadata WithController(ClusterMetadata current, int controllerId)
    {
        ArgumentNullException.ThrowIfNull(current);
        return current.ControllerId == controllerId ? current : current with { ControllerId = controllerId };
    }

    /// <summary>
    /// Chooses replicas for a new topic: round-robin over the unfenced registered nodes sorted by id, partition p
    /// starting at node index p mod n, so leaders spread evenly.
    /// </summary>
    /// <param name="current">The metadata to assign from.</param>
    /// <param name="partitions">The number of partitions (1 to <see cref="MaxPartitions"/>).</param>
    /// <param name="replicationFactor">The replicas per partition (at least 1, at most the unfenced nodes).</param>
    /// <returns>For each partition, its replicas; the first leads.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A count is out of range, or too few nodes are alive.</exception>
    public static IReadOnlyList<IReadOnlyList<int>> AssignReplicas(ClusterMetadata current, int partitions, int replicationFactor)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(partitions, MaxPartitions);
        ArgumentOutOfRangeException.ThrowIfLessThan(replicationFactor, 1);
        var nodes = current.Brokers.Values.Where(b => !b.IsFenced).Select(b => b.NodeId).Order().ToArray();
        if (replicationFactor > nodes.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(replicationFactor), replicationFactor,
                $"The replication factor {replicationFactor} is larger than the {nodes.Length} live registered nodes ({string.Join(", ", nodes)}).");
        }

        var assignment = new IReadOnlyList<int>[partitions];
        for (var p = 0; p < partitions; p++)
        {
            var replicas = new int[replicationFactor];
            for (var r = 0; r < replicationFactor; r++)
            {
                replicas[r] = nodes[(p + r) % nodes.Length];
            }

            assignment[p] = replicas;
        }

        return assignment;
    }
}
