namespace CommitLog.Replication.Control;

/// <summary>
/// Holds a node's latest applied <see cref="ClusterMetadata"/> and wakes the callers of
/// <see cref="WaitForChangeAsync"/> when a newer version is published. Versions only move forward.
/// </summary>
internal sealed class MetadataCell
{
    private readonly Lock _lock = new();
    private ClusterMetadata _current;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public MetadataCell(ClusterMetadata initial) => _current = initial;

    public ClusterMetadata Current => Volatile.Read(ref _current);

    /// <summary>Publishes <paramref name="metadata"/> if it is newer than the current version; returns whether it was.</summary>
    public bool Publish(ClusterMetadata metadata)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            if (metadata.Version <= _current.Version)
            {
                return false;
            }

            Volatile.Write(ref _current, metadata);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
        return true;
    }

    public async ValueTask<ClusterMetadata> WaitForChangeAsync(long afterVersion, CancellationToken cancellationToken)
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
}
