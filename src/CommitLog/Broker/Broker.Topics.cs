using CommitLog.Groups;
using CommitLog.Storage;

namespace CommitLog;

/// <content>Topic changes: each holds the admin gate, writes the metadata first and then changes the partition logs, so
/// that a crash at any point leaves the metadata as the single truth that the next open completes.</content>
public sealed partial class Broker
{
    internal async ValueTask CreateTopicAsync(
        string name, int partitions, TopicConfig? config, CancellationToken cancellationToken, bool internalTopic = false)
    {
        ValidateName(name);
        if (!internalTopic && OffsetsTopic.IsInternal(name))
        {
            throw new InvalidTopicException(name, $"Topic name '{name}' is reserved for the broker's internal use.");
        }

        if (partitions <= 0)
        {
            throw new InvalidPartitionsException(name, partitions,
                $"Cannot create topic '{name}' with {partitions} partitions: the number of partitions must be at least 1.");
        }

        TopicConfig normalized = TopicConfigEntries.Normalize(config ?? _options.DefaultTopicConfig);
        CheckReplicable(name, normalized);
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            CheckNameIsFree(name);
            var record = new TopicRecord(name, Guid.NewGuid(), partitions, Deleting: false, TopicConfigEntries.ToOverrides(normalized));
            _records[name] = record;
            try
            {
                PersistMetadata();
            }
            catch
            {
                _records.Remove(name);
                throw;
            }

            PartitionLog[] logs;
            try
            {
                logs = await OpenLogsAsync(name, 0, partitions, normalized, expectExisting: false, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                UndoCreate(record);
                throw;
            }

            _topics[name] = new TopicState(record, normalized, [.. logs.Select(l => new PartitionSlot(l))]);
            BrokerLogMessages.TopicCreated(_logger, name, partitions);
        }
        finally
        {
            _adminGate.Release();
        }
    }

    internal async ValueTask DeleteTopicAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (OffsetsTopic.IsInternal(name))
        {
            throw new InvalidTopicException(name, $"Topic '{name}' is internal to the broker and cannot be deleted.");
        }

        bool forgetOffsets = false;
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            TopicState state = GetTopic(name);
            _records[name] = state.Record with { Deleting = true };
            try
            {
                PersistMetadata();
            }
            catch
            {
                _records[name] = state.Record;
                throw;
            }

            // From here the topic is gone for users; if anything below fails, the next open finishes the deletion.
            _topics.TryRemove(name, out _);
            await Task.WhenAll(state.Partitions.Select(s => s.Log.DisposeAsync().AsTask())).ConfigureAwait(false);
            RemovePartitionDirectories(name, state.Record.Partitions);
            _records.Remove(name);
            PersistMetadata();
            BrokerLogMessages.TopicDeleted(_logger, name, state.Record.Partitions);
            forgetOffsets = true;
        }
        finally
        {
            _adminGate.Release();
        }

        if (forgetOffsets)
        {
            // As in Kafka, a deleted topic's committed offsets go too, so a topic created again with the name starts fresh.
            await OffsetStore.ForgetTopicAsync(name).ConfigureAwait(false);
        }
    }

    internal async ValueTask CreatePartitionsAsync(string name, int totalCount, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            TopicState state = GetTopic(name);
            TopicRecord old = state.Record;
            if (totalCount <= old.Partitions)
            {
                throw new InvalidPartitionsException(name, totalCount,
                    $"Topic '{name}' has {old.Partitions} partitions; the new count {totalCount} must be larger (partitions can only be added).");
            }

            TopicRecord grown = old with { Partitions = totalCount };
            _records[name] = grown;
            try
            {
                PersistMetadata();
            }
            catch
            {
                _records[name] = old;
                throw;
            }

            PartitionLog[] added;
            try
            {
                added = await OpenLogsAsync(name, old.Partitions, totalCount, state.Config, expectExisting: false, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch
            {
                UndoRecordChange(old);
                throw;
            }

            state.Partitions = [.. state.Partitions, .. added.Select(l => new PartitionSlot(l))];
            state.Record = grown;
            BrokerLogMessages.PartitionsIncreased(_logger, name, old.Partitions, totalCount);
        }
        finally
        {
            _adminGate.Release();
        }
    }

    internal async ValueTask AlterTopicConfigAsync(string name, TopicConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(config);
        TopicConfig normalized = TopicConfigEntries.Normalize(config);
        CheckReplicable(name, normalized);
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            TopicState state = GetTopic(name);
            TopicRecord old = state.Record;
            TopicRecord altered = old with { Config = TopicConfigEntries.ToOverrides(normalized) };
            _records[name] = altered;
            try
            {
                PersistMetadata();
            }
            catch
            {
                _records[name] = old;
                throw;
            }

            bool reopen = TopicConfigEntries.LogSettingsDiffer(state.Config, normalized);
            state.Record = altered;
            state.Config = normalized;
            if (reopen)
            {
                await ReopenLogsAsync(state, normalized).ConfigureAwait(false);
            }

            BrokerLogMessages.ConfigAltered(_logger, name, reopen);
        }
        finally
        {
            _adminGate.Release();
        }
    }

    /// <summary>On a cluster node, refuses settings of a replicated topic that the node cannot replicate.</summary>
    private void CheckReplicable(string name, TopicConfig config)
    {
        if (_options.Replication is { } replication && replication.IsReplicated(name))
        {
            replication.CheckTopicConfig(name, config);
        }
    }

    internal IReadOnlyList<string> ListTopics()
    {
        ThrowIfDisposed();
        return [.. _topics.Keys.Where(name => !OffsetsTopic.IsInternal(name)).Order(StringComparer.Ordinal)];
    }

    internal TopicDescription DescribeTopic(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        ThrowIfDisposed();
        TopicState state = GetTopic(name);
        var partitions = state.Partitions.Select((slot, p) =>
        {
            PartitionLog log = slot.Log;
            return new PartitionDescription(p, log.LogStartOffset, log.LogEndOffset, log.HighWatermark, log.Size, log.SegmentCount, NodeId);
        }).ToList();
        return new TopicDescription(name, state.Record.Id, partitions, state.Config);
    }

    /// <summary>Closes each partition log and opens it again with <paramref name="config"/>; appends and reads that meet the
    /// closed log wait for the new one (see <see cref="PartitionSlot"/>).</summary>
    private async Task ReopenLogsAsync(TopicState state, TopicConfig config)
    {
        LogOptions logOptions = LogOptionsFor(state.Record.Name, config);
        foreach (PartitionSlot slot in state.Partitions)
        {
            var swap = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            slot.Swapping = swap.Task;
            try
            {
                PartitionLog old = slot.Log;
                await old.DisposeAsync().ConfigureAwait(false);
                slot.Log = PartitionLog.Open(old.Directory, logOptions);
                swap.SetResult();
            }
            catch (Exception e)
            {
                swap.SetException(e);
                throw;
            }
            finally
            {
                slot.Swapping = null;
            }
        }
    }

    private async ValueTask EnterAsync(CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        await _adminGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (Volatile.Read(ref _disposed) != 0)
        {
            _adminGate.Release();
            ThrowIfDisposed();
        }
    }

    private TopicState GetTopic(string name)
        => _topics.TryGetValue(name, out TopicState? state)
            ? state
            : throw new UnknownTopicOrPartitionException(name, null, $"Topic '{name}' does not exist.");

    private static void ValidateName(string name)
    {
        if (TopicName.Check(name, "topic name") is { } error)
        {
            throw new InvalidTopicException(name, error);
        }
    }

    private void CheckNameIsFree(string name)
    {
        if (_records.TryGetValue(name, out TopicRecord? existing))
        {
            throw new TopicAlreadyExistsException(name, existing.Deleting
                ? $"Topic '{name}' is marked for deletion; create it again once the deletion has finished."
                : $"Topic '{name}' already exists.");
        }

        if (TopicName.HasCollisionChars(name) && _records.Keys.FirstOrDefault(n => TopicName.Collide(n, name)) is { } other)
        {
            throw new InvalidTopicException(name,
                $"Topic '{name}' collides with existing topic '{other}': names that differ only in '.' and '_' are not allowed together.");
        }
    }

    /// <summary>Removes a topic whose partition logs failed to open; on failure, leaves it marked for deletion.</summary>
    private void UndoCreate(TopicRecord record)
    {
        try
        {
            _records[record.Name] = record with { Deleting = true };
            PersistMetadata();
            RemovePartitionDirectories(record.Name, record.Partitions);
            _records.Remove(record.Name);
            PersistMetadata();
        }
#pragma warning disable CA1031 // The caller sees the original failure; the record stays marked and the next open finishes it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            BrokerLogMessages.RollbackFailed(_logger, e, record.Name);
        }
    }

    private void UndoRecordChange(TopicRecord old)
    {
        try
        {
            _records[old.Name] = old;
            PersistMetadata();
        }
#pragma warning disable CA1031 // The caller sees the original failure; the metadata is rewritten by the next change.
        catch (Exception e)
#pragma warning restore CA1031
        {
            BrokerLogMessages.RollbackFailed(_logger, e, old.Name);
        }
    }
}
