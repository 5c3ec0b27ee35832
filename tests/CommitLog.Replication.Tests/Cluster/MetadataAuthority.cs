using CommitLog.Replication.Control;

namespace CommitLog.Replication.Tests.Cluster;

/// <summary>
/// One shared metadata authority for in-process clusters: applies <see cref="MetadataCommand"/>s with
/// <see cref="ClusterMetadataState"/> under a lock and wakes waiters, standing in for a consensus control plane.
/// Each node gets its own <see cref="AuthorityControlPlane"/> view.
/// </summary>
internal sealed class MetadataAuthority
{
    private readonly object _lock = new();
    private ClusterMetadata _current = ClusterMetadata.Empty;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ClusterMetadata Current
    {
        get
        {
            lock (_lock)
            {
                return _current;
            }
        }
    }

    public MetadataChange Apply(MetadataCommand command)
    {
        lock (_lock)
        {
            var change = ClusterMetadataState.Apply(_current, command);
            if (change.Accepted)
            {
                _current = change.Metadata;
                _changed.TrySetResult();
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            return change;
        }
    }

    /// <summary>Assigns replicas and creates the topic in one step (the assignment sees the same metadata it is applied to).</summary>
    public MetadataChange CreateTopic(ReplicatedTopic topic)
    {
        lock (_lock)
        {
            var assignment = ClusterMetadataState.AssignReplicas(_current, topic.PartitionCount, topic.ReplicationFactor);
            return Apply(new CreateTopic(topic, assignment));
        }
    }

    public async Task<ClusterMetadata> WaitForChangeAsync(long afterVersion, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (_current.Version > afterVersion)
                {
                    return _current;
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<ClusterMetadata> WaitForAsync(Func<ClusterMetadata, bool> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var metadata = Current;
        while (!condition(metadata))
        {
            try
            {
                metadata = await WaitForChangeAsync(metadata.Version, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"The metadata did not reach the expected state within {timeout}; now version {Current.Version}: " +
                    string.Join("; ", Current.Partitions.Values.Select(p => $"{p.Topic}-{p.Partition} leader {p.Leader} ISR [{string.Join(",", p.Isr)}]")));
            }
        }

        return metadata;
    }
}
