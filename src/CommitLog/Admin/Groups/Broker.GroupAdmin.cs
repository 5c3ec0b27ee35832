using CommitLog.Groups;
using Coordinator = CommitLog.Groups.Coordinator;
using CommitLog.Storage;

namespace CommitLog;

/// <content>The consumer-group administration behind <see cref="BrokerAdmin"/>: members from the coordinator, offsets
/// from the offset store, log end offsets from the partitions.</content>
public sealed partial class Broker
{
    internal IReadOnlyList<ConsumerGroupListing> ListConsumerGroups()
    {
        ThrowIfDisposed();
        var listings = new SortedDictionary<string, ConsumerGroupListing>(StringComparer.Ordinal);
        foreach (string groupId in OffsetStore.GroupsWithOffsets())
        {
            listings[groupId] = new ConsumerGroupListing(groupId, ConsumerGroupState.Empty, IsSimpleConsumerGroup: true);
        }

        foreach (GroupView view in ViewGroups())
        {
            listings[view.GroupId] = new ConsumerGroupListing(view.GroupId, view.State, IsSimpleConsumerGroup: false);
        }

        return [.. listings.Values];
    }

    internal ConsumerGroupDescription DescribeConsumerGroup(string groupId)
    {
        GroupIds.Validate(groupId);
        ThrowIfDisposed();
        GroupView? view = ViewGroup(groupId);
        IReadOnlyDictionary<TopicPartition, CommittedOffset> committed = OffsetStore.Fetch(groupId);
        var owners = new Dictionary<TopicPartition, GroupMemberDescription>();
        foreach (GroupMemberDescription member in view?.Members ?? [])
        {
            foreach (TopicPartition tp in member.Assignment)
            {
                owners[tp] = member;
            }
        }

        var partitions = committed.Keys.Union(owners.Keys)
            .OrderBy(tp => tp.Topic, StringComparer.Ordinal).ThenBy(tp => tp.Partition.Value)
            .Select(tp =>
            {
                long logEnd = TryGetPartitionLog(tp, out PartitionLog? log) ? log.LogEndOffset : 0;
                long? current = committed.TryGetValue(tp, out CommittedOffset c) ? c.Offset : null;
                GroupMemberDescription? owner = owners.GetValueOrDefault(tp);
                return new GroupPartitionLag(tp.Topic, tp.Partition.Value, current, logEnd, current is { } at ? Math.Max(0, logEnd - at) : null,
                    owner?.MemberId, owner?.Host, owner?.ClientId);
            })
            .ToList();
        ConsumerGroupState state = view?.State ?? (committed.Count > 0 ? ConsumerGroupState.Empty : ConsumerGroupState.Dead);
        return new ConsumerGroupDescription(groupId, state, view?.Assignor ?? string.Empty, NodeId, view?.Members ?? [], partitions);
    }

    internal async ValueTask<IReadOnlyList<GroupOffsetChange>> ResetConsumerGroupOffsetsAsync(
        string groupId, OffsetResetSpec reset, IEnumerable<string>? topics, bool dryRun, CancellationToken cancellationToken)
    {
        GroupIds.Validate(groupId);
        ArgumentNullException.ThrowIfNull(reset);
        ThrowIfDisposed();
        ThrowIfGroupHasMembers(groupId, "reset its offsets");
        IReadOnlyDictionary<TopicPartition, CommittedOffset> committed = OffsetStore.Fetch(groupId);
        // As kafka-consumer-groups: --all-topics means the partitions the group committed, --topic every partition of it.
        List<TopicPartition> selected = topics is null
            ? [.. committed.Keys.Where(tp => TryGetPartitionLog(tp, out _))]
            : [.. topics.Distinct(StringComparer.Ordinal).SelectMany(t => Enumerable.Range(0, GetPartitionCount(t)).Select(p => new TopicPartition(t, p)))];
        var changes = new List<GroupOffsetChange>();
        foreach (TopicPartition tp in selected.OrderBy(tp => tp.Topic, StringComparer.Ordinal).ThenBy(tp => tp.Partition.Value))
        {
            if (!TryGetPartitionLog(tp, out PartitionLog? log))
            {
                throw new UnknownTopicOrPartitionException(tp.Topic, tp.Partition.Value, $"Cannot reset {tp}: the topic was deleted meanwhile.");
            }

            long? current = committed.TryGetValue(tp, out CommittedOffset c) ? c.Offset : null;
            changes.Add(new GroupOffsetChange(tp, current, ResetTarget(log, reset, current, tp)));
        }

        if (!dryRun && changes.Count > 0)
        {
            await GroupOffsets.CommitAsync(
                groupId, GroupGeneration.None, [.. changes.Select(ch => new OffsetCommit(ch.TopicPartition, ch.NewOffset))], cancellationToken)
                .ConfigureAwait(false);
        }

        return changes;
    }

    internal async ValueTask DeleteConsumerGroupAsync(string groupId, CancellationToken cancellationToken)
    {
        GroupIds.Validate(groupId);
        ThrowIfDisposed();
        ThrowIfGroupHasMembers(groupId, "delete it");
        if (OffsetStore.Fetch(groupId).Count == 0 && ViewGroup(groupId) is null)
        {
            throw new GroupIdNotFoundException(groupId, $"Consumer group '{groupId}' does not exist: it has no members and no committed offsets.");
        }

        ForgetGroup(groupId);
        await OffsetStore.DeleteGroupAsync(groupId).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static long ResetTarget(PartitionLog log, OffsetResetSpec reset, long? current, TopicPartition tp)
    {
        if (reset.What == OffsetResetSpec.Kind.ShiftBy && current is null)
        {
            throw new ArgumentException(
                $"Cannot shift the offset of {tp}: the group has no committed offset for it. Reset it with another spec first, or " +
                "select only the topics the group has committed.", nameof(reset));
        }

        long start = log.LogStartOffset;
        long end = log.LogEndOffset;
        long target = reset.What switch
        {
            OffsetResetSpec.Kind.Earliest => start,
            OffsetResetSpec.Kind.Latest => end,
            OffsetResetSpec.Kind.Timestamp => log.OffsetForTimestamp(reset.Value) ?? end,
            OffsetResetSpec.Kind.ShiftBy => current!.Value + reset.Value,
            _ => reset.Value,
        };
        return Math.Clamp(target, start, end);
    }

    private void ThrowIfGroupHasMembers(string groupId, string action)
    {
        if (ViewGroup(groupId) is { Members.Count: > 0 } view)
        {
            throw new GroupNotEmptyException(groupId,
                $"Cannot {action}: consumer group '{groupId}' has {view.Members.Count} active member(s) ({view.State}); stop its consumers first.");
        }
    }

    private IEnumerable<GroupView> ViewGroups()
        => Groups.ListGroups().Select(listing => ViewGroup(listing.GroupId)).OfType<GroupView>();

    private GroupView? ViewGroup(string groupId)
    {
        if (Groups.DescribeGroup(groupId) is not { } group)
        {
            return null;
        }

        ConsumerGroupState state = group.State switch
        {
            Coordinator.GroupState.Empty => ConsumerGroupState.Empty,
            Coordinator.GroupState.PreparingRebalance => ConsumerGroupState.PreparingRebalance,
            Coordinator.GroupState.CompletingRebalance => ConsumerGroupState.CompletingRebalance,
            Coordinator.GroupState.Stable => ConsumerGroupState.Stable,
            Coordinator.GroupState.Dead => ConsumerGroupState.Dead,
            _ => ConsumerGroupState.Unknown,
        };
        var members = group.Members
            .Select(m => new GroupMemberDescription(m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost, m.Partitions))
            .ToList();
        return new GroupView(groupId, state, group.ProtocolName, members);
    }

    /// <summary>Removes the group from the coordinator (a group that only has committed offsets is not known there).</summary>
    private void ForgetGroup(string groupId)
    {
        if (Groups.DeleteGroup(groupId, mustExist: false) == ErrorCode.NonEmptyGroup)
        {
            throw new GroupNotEmptyException(groupId, $"Cannot delete it: consumer group '{groupId}' has active members; stop its consumers first.");
        }
    }

    /// <summary>A group as the coordinator sees it.</summary>
    private sealed record GroupView(string GroupId, ConsumerGroupState State, string Assignor, IReadOnlyList<GroupMemberDescription> Members);
}
