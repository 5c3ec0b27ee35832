using CommitLog.Storage;

namespace CommitLog.Groups;

/// <summary>
/// The committed offsets of every group (<see cref="IGroupOffsets"/>): each commit is one record batch appended to the
/// group's partition of <c>__consumer_offsets</c> (all of a commit's offsets or none), and the in-memory view is
/// updated once the append is acknowledged, in log order, so memory never runs ahead of what a restart would read back.
/// On a cluster node the topic is replicated: see the other part of this class.
/// </summary>
internal sealed partial class GroupOffsetStore : IGroupOffsets
{
    private const int LoadChunkBytes = 1 << 20;
    private readonly Broker _broker;
    private readonly Func<string, GroupGeneration, ErrorCode> _checkCommit;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Dictionary<TopicPartition, Entry>> _groups = new(StringComparer.Ordinal);
    private readonly Lock _readLock = new();
    private readonly Dictionary<int, long> _readUpTo = [];

    /// <summary>Creates the store.</summary>
    /// <param name="broker">The broker whose partitions are committed and which holds the offsets topic.</param>
    /// <param name="checkCommit">Decides whether a generation may commit for a group (the coordinator's fencing).</param>
    public GroupOffsetStore(Broker broker, Func<string, GroupGeneration, ErrorCode> checkCommit)
    {
        _broker = broker;
        _checkCommit = checkCommit;
    }

    /// <inheritdoc/>
    public async ValueTask CommitAsync(
        string groupId, GroupGeneration generation, IReadOnlyList<OffsetCommit> offsets, CancellationToken cancellationToken = default)
    {
        GroupIds.Validate(groupId);
        ArgumentNullException.ThrowIfNull(offsets);
        Validate(offsets);
        // On a cluster the group's coordinator checks the generation and stores the commit; it may be another node.
        if (_broker.ClusterCoordinator is { } cluster
            && await cluster.TryForwardCommitAsync(groupId, generation, offsets, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        await CommitAsCoordinatorAsync(groupId, generation, offsets, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Checks a commit against this broker's coordinator (the group's generation) and stores it, without asking
    /// where the group's coordinator is: what a cluster node that coordinates the group does with a forwarded commit.</summary>
    /// <param name="groupId">The group.</param>
    /// <param name="generation">The committing member's generation.</param>
    /// <param name="offsets">The offsets.</param>
    /// <param name="cancellationToken">Cancels waiting; the commit may still happen.</param>
    /// <returns>A task that completes when the offsets are stored.</returns>
    /// <exception cref="CommitFailedException">The generation is stale, or the in-sync replicas did not acknowledge it.</exception>
    internal async ValueTask CommitAsCoordinatorAsync(
        string groupId, GroupGeneration generation, IReadOnlyList<OffsetCommit> offsets, CancellationToken cancellationToken)
    {
        GroupIds.Validate(groupId);
        ArgumentNullException.ThrowIfNull(offsets);
        Validate(offsets);
        ErrorCode error = _checkCommit(groupId, generation);
        if (error != ErrorCode.None)
        {
            throw new CommitFailedException(error, groupId, CommitRefused(groupId, generation, error));
        }

        if (offsets.Count == 0)
        {
            return;
        }

        long now = _broker.Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var records = new List<(TopicPartition Partition, CommittedOffset? Value)>(offsets.Count);
        foreach (OffsetCommit commit in offsets)
        {
            records.Add((commit.TopicPartition, new CommittedOffset(commit.Offset, commit.LeaderEpoch, commit.Metadata, now)));
        }

        // The append is not cancelled once started, so memory and the log cannot disagree; only the wait is.
        Task write = WriteAsync(groupId, records);
        try
        {
            await write.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (CommitLogException e) when (_broker.ReplicatedOffsets is not null && e is not CommitFailedException)
        {
            throw NotReplicated(groupId, e);
        }
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<TopicPartition, CommittedOffset> Fetch(string groupId, IReadOnlyCollection<TopicPartition>? partitions = null)
    {
        ArgumentNullException.ThrowIfNull(groupId);
        CatchUpGroupPartition(groupId);
        lock (_lock)
        {
            if (!_groups.TryGetValue(groupId, out Dictionary<TopicPartition, Entry>? committed))
            {
                return new Dictionary<TopicPartition, CommittedOffset>();
            }

            return partitions is null
                ? committed.ToDictionary(p => p.Key, p => p.Value.Committed)
                : partitions.Where(committed.ContainsKey).Distinct().ToDictionary(p => p, p => committed[p].Committed);
        }
    }

    /// <summary>Returns the groups that have committed offsets.</summary>
    public IReadOnlyList<string> GroupsWithOffsets()
    {
        CatchUpAllPartitions();
        lock (_lock)
        {
            return [.. _groups.Keys.Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>Removes every committed offset of a group (tombstones in the offsets topic).</summary>
    public Task DeleteGroupAsync(string groupId)
    {
        List<(TopicPartition, CommittedOffset?)> tombstones;
        lock (_lock)
        {
            tombstones = _groups.TryGetValue(groupId, out var committed)
                ? [.. committed.Keys.Select(p => (p, (CommittedOffset?)null))]
                : [];
        }

        return tombstones.Count == 0 ? Task.CompletedTask : WriteAsync(groupId, tombstones);
    }

    /// <summary>Removes the committed offsets of a deleted topic from every group, as Kafka does.</summary>
    public async Task ForgetTopicAsync(string topic)
    {
        List<(string Group, List<(TopicPartition, CommittedOffset?)> Tombstones)> work;
        lock (_lock)
        {
            work = [.. _groups
                .Select(g => (g.Key, g.Value.Keys.Where(p => p.Topic == topic).Select(p => (p, (CommittedOffset?)null)).ToList()))
                .Where(g => g.Item2.Count > 0)];
        }

        foreach (var (group, tombstones) in work)
        {
            await WriteAsync(group, tombstones).ConfigureAwait(false);
        }
    }

    /// <summary>Reads every partition of the offsets topic from its start and builds the in-memory view.</summary>
    /// <exception cref="CorruptRecordException">A record of the offsets topic cannot be decoded.</exception>
    public void Load(int partitionCount)
    {
        for (int p = 0; p < partitionCount; p++)
        {
            ReadForward(new TopicPartition(OffsetsTopic.Name, p));
        }
    }

    private async Task WriteAsync(string groupId, List<(TopicPartition Partition, CommittedOffset? Value)> records)
    {
        int partitionCount = await _broker.EnsureOffsetsTopicAsync(CancellationToken.None).ConfigureAwait(false);
        var target = new TopicPartition(OffsetsTopic.Name, OffsetsTopic.PartitionFor(groupId, partitionCount));
        using var builder = new RecordBatchBuilder();
        long now = _broker.Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var (partition, value) in records)
        {
            builder.Append(now, OffsetRecordCodec.EncodeKey(groupId, partition), value is { } v ? OffsetRecordCodec.EncodeValue(v) : null);
        }

        // acks=all: on a cluster node the commit completes once every in-sync replica has it (a standalone broker appends locally).
        AppendResult appended = await _broker.AppendAsync(target, builder.Build(), Acks.All, CancellationToken.None).ConfigureAwait(false);
        lock (_lock)
        {
            for (int i = 0; i < records.Count; i++)
            {
                Apply(groupId, records[i].Partition, records[i].Value, appended.FirstOffset + i);
            }
        }
    }

    private void ApplyLoaded(PartitionLog log, in Record record)
    {
        if (record.Key is not { } key)
        {
            return;
        }

        try
        {
            if (!OffsetRecordCodec.TryDecodeKey(key.Span, out string groupId, out TopicPartition partition))
            {
                return;
            }

            CommittedOffset? value = record.Value is { } v ? OffsetRecordCodec.DecodeValue(v.Span) : null;
            lock (_lock)
            {
                Apply(groupId, partition, value, record.Offset);
            }
        }
        catch (FormatException e)
        {
            throw new CorruptRecordException(
                $"The committed-offset record at offset {record.Offset} of {OffsetsTopic.Name} cannot be decoded: {e.Message}",
                log.Directory, record.Offset);
        }
    }

    private void Apply(string groupId, TopicPartition partition, CommittedOffset? value, long logOffset)
    {
        if (!_groups.TryGetValue(groupId, out Dictionary<TopicPartition, Entry>? committed))
        {
            if (value is null)
            {
                return;
            }

            committed = [];
            _groups[groupId] = committed;
        }

        if (committed.TryGetValue(partition, out Entry existing) && existing.LogOffset > logOffset)
        {
            return; // a later commit was applied first: log order wins
        }

        if (value is { } v)
        {
            committed[partition] = new Entry(v, logOffset);
        }
        else
        {
            committed.Remove(partition);
            if (committed.Count == 0)
            {
                _groups.Remove(groupId);
            }
        }
    }

    private void Validate(IReadOnlyList<OffsetCommit> offsets)
    {
        var seen = new HashSet<TopicPartition>();
        foreach (OffsetCommit commit in offsets)
        {
            TopicPartition tp = commit.TopicPartition;
            if (!seen.Add(tp))
            {
                throw new ArgumentException($"Partition {tp} is given more than once in one commit; commit each partition once.", nameof(offsets));
            }

            if (!_broker.TryGetPartitionLog(tp, out PartitionLog? log))
            {
                throw new UnknownTopicOrPartitionException(tp.Topic ?? "", tp.Partition.Value,
                    $"Cannot commit an offset for {tp}: the topic or partition does not exist.");
            }

            if (commit.Offset < 0 || commit.Offset > log.LogEndOffset)
            {
                throw new ArgumentOutOfRangeException(nameof(offsets), commit.Offset,
                    $"Cannot commit offset {commit.Offset} for {tp}: a committed offset is the next offset to consume, from 0 to the " +
                    $"log end offset {log.LogEndOffset}.");
            }

            if (commit.Metadata is { } metadata && OffsetRecordCodec.Utf8Length(metadata, "metadata") > OffsetsTopic.MaxMetadataBytes)
            {
                throw new ArgumentException(
                    $"The metadata committed with {tp} is longer than {OffsetsTopic.MaxMetadataBytes} bytes (offset.metadata.max.bytes).",
                    nameof(offsets));
            }
        }
    }

    private static string CommitRefused(string groupId, GroupGeneration generation, ErrorCode error) => error switch
    {
        ErrorCode.NonEmptyGroup or ErrorCode.UnknownMemberId when generation.IsNone =>
            $"Commit refused for group '{groupId}': a consumer outside the group (manual assignment) cannot commit while the group " +
            "has active members.",
        ErrorCode.IllegalGeneration =>
            $"Commit refused for group '{groupId}': generation {generation.GenerationId} of member '{generation.MemberId}' is no " +
            "longer current; the group rebalanced and the partitions may belong to another member.",
        ErrorCode.UnknownMemberId =>
            $"Commit refused for group '{groupId}': member '{generation.MemberId}' is no longer in the group (session timeout, " +
            "max.poll.interval.ms exceeded, or it left).",
        ErrorCode.FencedInstanceId =>
            $"Commit refused for group '{groupId}': another member joined with group.instance.id '{generation.GroupInstanceId}'.",
        ErrorCode.RebalanceInProgress =>
            $"Commit refused for group '{groupId}': the group is rebalancing; the partitions may move to another member.",
        _ => $"Commit refused for group '{groupId}': {error}.",
    };

    private readonly record struct Entry(CommittedOffset Committed, long LogOffset);
}
