using CommitLog.Replication.Control;

namespace CommitLog.Replication.Cluster;

/// <content>Metadata: the loop that follows the control plane, local topic creation, role changes and their logs.</content>
internal sealed partial class NodeHost
{
    /// <summary>Blocks a producer until this node has created its copy of <paramref name="topic"/>, or the timeout elapses.</summary>
    public bool WaitForTopic(string topic, TimeSpan timeout)
    {
        if (Broker.TryGetPartitionCount(topic, out _))
        {
            return true;
        }

        using var timeoutSource = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutSource.Token, Stopping);
        try
        {
            WaitForMetadataAsync(_ => Broker.TryGetPartitionCount(topic, out int _), linked.Token).GetAwaiter().GetResult();
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task MetadataLoopAsync()
    {
        long version = 0;
        while (!Stopping.IsCancellationRequested)
        {
            try
            {
                var metadata = await _options.ControlPlane.WaitForChangeAsync(version, Stopping).ConfigureAwait(false);
                await ApplyMetadataAsync(metadata, Stopping).ConfigureAwait(false);
                version = Math.Max(version, metadata.Version);
            }
            catch (OperationCanceledException) when (Stopping.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The loop's boundary: log, back off, carry on.
            catch (Exception e)
#pragma warning restore CA1031
            {
                ClusterLog.MetadataFailed(_logger, e, NodeId);
                await Task.Delay(TimeSpan.FromMilliseconds(200), _time, Stopping).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Creates the local topics the metadata names, hands the metadata to the core and dials new peers.</summary>
    private async Task ApplyMetadataAsync(ClusterMetadata metadata, CancellationToken cancellationToken)
    {
        if (metadata.Version <= Metadata.Version)
        {
            return;
        }

        foreach (var topic in metadata.Topics.Values)
        {
            if (!Broker.TryGetPartitionCount(topic.Name, out _))
            {
                try
                {
                    await CreateLocalTopicAsync(topic, cancellationToken).ConfigureAwait(false);
                }
                catch (TopicAlreadyExistsException)
                {
                }
            }
        }

        List<(TopicPartition, PartitionState)> roleChanges;
        ClusterMetadata before;
        lock (_lock)
        {
            if (metadata.Version <= _applied.Version)
            {
                return;
            }

            before = _applied;
            roleChanges = RoleChanges(_applied, metadata);
            _core.ApplyMetadata(metadata, NowMs);
            _applied = metadata;
            WakeParkedFetches(_ => true);
            _appliedChanged.TrySetResult();
            _appliedChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        Flush();
        DropMovedGroups(before, metadata);
        foreach (var (tp, state) in roleChanges)
        {
            LogRole(tp, state);
        }

        foreach (var broker in metadata.Brokers.Values.Where(b => b.NodeId != NodeId))
        {
            _ = _dialers.GetOrAdd(broker.NodeId, id => Task.Run(() => DialLoopAsync(id), CancellationToken.None));
        }
    }

    private List<(TopicPartition, PartitionState)> RoleChanges(ClusterMetadata before, ClusterMetadata after)
    {
        var changes = new List<(TopicPartition, PartitionState)>();
        foreach (var (tp, state) in after.Partitions)
        {
            if (!state.Replicas.Contains(NodeId))
            {
                continue;
            }

            if (!before.Partitions.TryGetValue(tp, out var old) || old.Leader != state.Leader || old.LeaderEpoch != state.LeaderEpoch)
            {
                changes.Add((tp, state));
            }
        }

        return changes;
    }

    private void LogRole(TopicPartition tp, PartitionState state)
    {
        if (state.Leader == NodeId)
        {
            _metrics.RoleChanged("leader");
            ClusterLog.BecameLeader(_logger, NodeId, state.Topic, state.Partition, state.LeaderEpoch, string.Join(",", state.Isr));
        }
        else if (state.Leader == PartitionState.NoLeader)
        {
            _metrics.RoleChanged("offline");
            ClusterLog.Offline(_logger, NodeId, state.Topic, state.Partition);
        }
        else
        {
            _metrics.RoleChanged("follower");
            ClusterLog.BecameFollower(_logger, NodeId, state.Leader, state.Topic, state.Partition, state.LeaderEpoch);
        }
    }
}
