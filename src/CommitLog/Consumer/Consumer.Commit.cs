using CommitLog.Groups;

namespace CommitLog;

/// <content>Offsets: store, commit (explicit and automatic), committed.</content>
internal sealed partial class Consumer<TKey, TValue>
{
    private readonly SemaphoreSlim _commitGate = new(1, 1);
    private ITimer? _autoCommitTimer;

    public void StoreOffset(ConsumeResult<TKey, TValue> result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.IsPartitionEOF)
        {
            throw new ArgumentException("An end-of-partition notice has no record to store an offset for.", nameof(result));
        }

        StoreOffset(new TopicPartitionOffset(result.TopicPartition, result.Offset + 1), result.LeaderEpoch ?? -1);
    }

    public void StoreOffset(TopicPartitionOffset offset) => StoreOffset(offset, -1);

    public IReadOnlyList<TopicPartitionOffset> Commit() => Wait(CommitAsync(CancellationToken.None));

    public void Commit(IEnumerable<TopicPartitionOffset> offsets) => Wait(CommitAsync(offsets, CancellationToken.None));

    public void Commit(ConsumeResult<TKey, TValue> result) => Wait(CommitAsync(result, CancellationToken.None));

    public async ValueTask<IReadOnlyList<TopicPartitionOffset>> CommitAsync(CancellationToken cancellationToken = default)
    {
        List<OffsetCommit> stored;
        lock (_gate)
        {
            ThrowIfClosed();
            RequireGroup("commit");
            stored = StoredToCommit(_order);
        }

        await CommitCoreAsync(stored, cancellationToken).ConfigureAwait(false);
        return [.. stored.Select(c => new TopicPartitionOffset(c.TopicPartition, c.Offset))];
    }

    public ValueTask CommitAsync(IEnumerable<TopicPartitionOffset> offsets, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        var list = offsets.ToList();
        var commits = new List<OffsetCommit>(list.Count);
        lock (_gate)
        {
            ThrowIfClosed();
            RequireGroup("commit");
            var seen = new HashSet<TopicPartition>();
            foreach (TopicPartitionOffset tpo in list)
            {
                ArgumentNullException.ThrowIfNull(tpo.Topic, nameof(offsets));
                if (!seen.Add(tpo.TopicPartition))
                {
                    throw new ArgumentException($"Partition {tpo.TopicPartition} is listed twice; commit each partition once.", nameof(offsets));
                }

                GetAssigned(tpo.TopicPartition, "commit an offset of");
                if (tpo.Offset.Value < 0)
                {
                    throw new ArgumentOutOfRangeException(nameof(offsets), tpo.Offset,
                        $"Cannot commit {tpo.Offset} for partition {tpo.TopicPartition}: a committed offset is the next offset to consume, >= 0.");
                }

                CheckOffset(tpo.TopicPartition, tpo.Offset, GetLog(tpo.TopicPartition), "commit");
                commits.Add(new OffsetCommit(tpo.TopicPartition, tpo.Offset));
            }
        }

        return CommitCoreAsync(commits, cancellationToken);
    }

    public ValueTask CommitAsync(ConsumeResult<TKey, TValue> result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.IsPartitionEOF
            ? throw new ArgumentException("An end-of-partition notice has no record to commit.", nameof(result))
            : CommitAsync([new TopicPartitionOffset(result.TopicPartition, result.Offset + 1)], cancellationToken);
    }

    public IReadOnlyList<TopicPartitionOffset> Committed(IEnumerable<TopicPartition> partitions, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        var list = partitions.ToList();
        ThrowIfClosed();
        RequireGroup("read committed offsets");
        var committed = LookUpCommitted(list);
        return [.. list.Select(tp => new TopicPartitionOffset(tp, committed.TryGetValue(tp, out CommittedOffset c) ? c.Offset : Offset.Unset))];
    }

    private static T Wait<T>(ValueTask<T> pending) => pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();

    private static void Wait(ValueTask pending)
    {
        if (!pending.IsCompletedSuccessfully)
        {
            pending.AsTask().GetAwaiter().GetResult();
        }
    }

    private void StoreOffset(TopicPartitionOffset offset, int leaderEpoch)
    {
        ArgumentNullException.ThrowIfNull(offset.Topic, nameof(offset));
        if (offset.Offset.Value < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset.Offset,
                $"Cannot store {offset.Offset} for partition {offset.TopicPartition}: a stored offset is the next offset to consume, >= 0.");
        }

        lock (_gate)
        {
            ThrowIfClosed();
            PartitionFetcher fetcher = GetAssigned(offset.TopicPartition, "store an offset of");
            fetcher.StoredOffset = offset.Offset;
            fetcher.StoredLeaderEpoch = leaderEpoch;
        }
    }

    /// <summary>The stored offsets of <paramref name="fetchers"/> not yet committed by this consumer.</summary>
    private static List<OffsetCommit> StoredToCommit(IEnumerable<PartitionFetcher> fetchers)
        => [.. fetchers.Where(f => f.StoredOffset >= 0 && f.StoredOffset != f.CommittedOffset)
            .Select(f => new OffsetCommit(f.TopicPartition, f.StoredOffset, f.StoredLeaderEpoch))];

    private async ValueTask CommitCoreAsync(List<OffsetCommit> commits, CancellationToken cancellationToken)
    {
        if (commits.Count == 0)
        {
            return;
        }

        IGroupOffsets offsets = _settings.GroupOffsets;
        GroupGeneration generation = _membership?.Generation ?? GroupGeneration.None;
        long start = _time.GetTimestamp();
        await _commitGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await offsets.CommitAsync(GroupId, generation, commits, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _commitGate.Release();
        }

        ConsumerMetrics.Committed(GroupId, _time.GetElapsedTime(start));
        ConsumerLogMessages.Committed(_logger, Name, commits.Count, GroupId);
        lock (_gate)
        {
            foreach (OffsetCommit commit in commits)
            {
                if (_fetchers.TryGetValue(commit.TopicPartition, out PartitionFetcher? fetcher))
                {
                    fetcher.CommittedOffset = commit.Offset;
                }
            }
        }
    }

    private Dictionary<TopicPartition, CommittedOffset> LookUpCommitted(IReadOnlyCollection<TopicPartition> partitions)
    {
        if (partitions.Count == 0 || _config.GroupId is not { } group)
        {
            return [];
        }

        return new Dictionary<TopicPartition, CommittedOffset>(_settings.GroupOffsets.Fetch(group, partitions));
    }

    private void RequireGroup(string action)
    {
        if (_config.GroupId is null)
        {
            throw new InvalidOperationException(
                $"Consumer {Name} cannot {action}: offsets are kept per consumer group and group.id is not set.");
        }
    }

    private void StartAutoCommit()
    {
        if (_config.EnableAutoCommit && _config.GroupId is not null && _config.AutoCommitIntervalMs > TimeSpan.Zero)
        {
            _autoCommitTimer = _time.CreateTimer(
                static state => ((Consumer<TKey, TValue>)state!).AutoCommitTick(), this, _config.AutoCommitIntervalMs, _config.AutoCommitIntervalMs);
        }
    }

    private void AutoCommitTick()
    {
        if (Volatile.Read(ref _closed) != 0)
        {
            return;
        }

        _ = AutoCommitAsync(CancellationToken.None);
    }

    /// <summary>Commits the stored offsets of all partitions (or of <paramref name="only"/>); failures are logged, not thrown.</summary>
    private async Task AutoCommitAsync(CancellationToken cancellationToken, IReadOnlyCollection<TopicPartition>? only = null)
    {
        try
        {
            List<OffsetCommit> stored;
            lock (_gate)
            {
                stored = StoredToCommit(only is null ? _order : _order.Where(f => only.Contains(f.TopicPartition)));
            }

            await CommitCoreAsync(stored, cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Background commit: the failure is logged; the next commit retries the same offsets.
        catch (Exception e)
#pragma warning restore CA1031
        {
            ConsumerLogMessages.AutoCommitFailed(_logger, e, Name, GroupId);
        }
    }
}
