namespace CommitLog;

/// <content>Consumer groups: list, describe with lag, reset offsets, delete (Kafka's <c>kafka-consumer-groups</c>).</content>
public sealed partial class BrokerAdmin
{
    /// <summary>Lists the consumer groups: those with members and those with committed offsets, ordered by id.</summary>
    /// <param name="cancellationToken">Not used: the list is in memory. Present for symmetry with the other calls.</param>
    /// <returns>The groups.</returns>
    /// <exception cref="ObjectDisposedException">The broker was disposed.</exception>
    public ValueTask<IReadOnlyList<ConsumerGroupListing>> ListConsumerGroupsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_broker.ListConsumerGroups());
    }

    /// <summary>
    /// Describes a consumer group: its state and members and, for every partition it committed or owns, the committed
    /// offset, the log end offset, the lag and the owner (the data behind <c>kafka-consumer-groups --describe</c>). A group
    /// that does not exist is described as <see cref="ConsumerGroupState.Dead"/> with no members or partitions, as in Kafka.
    /// </summary>
    /// <param name="groupId">The group id.</param>
    /// <param name="cancellationToken">Not used: the description is in memory.</param>
    /// <returns>The description, as of the call.</returns>
    /// <exception cref="ArgumentException"><paramref name="groupId"/> is null or empty.</exception>
    /// <exception cref="ObjectDisposedException">The broker was disposed.</exception>
    public ValueTask<ConsumerGroupDescription> DescribeConsumerGroupAsync(string groupId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_broker.DescribeConsumerGroup(groupId));
    }

    /// <summary>
    /// Computes, and unless <paramref name="dryRun"/> commits, new offsets for a group without active members: every
    /// partition of <paramref name="topics"/> (or, without topics, every partition the group has committed), moved as
    /// <paramref name="reset"/> says and clamped to the partition's log start and end. A dry run (the default, as in Kafka)
    /// changes nothing.
    /// </summary>
    /// <param name="groupId">The group id.</param>
    /// <param name="reset">Where to move the offsets.</param>
    /// <param name="topics">The topics whose partitions to reset, or <see langword="null"/> for the partitions the group committed
    /// (Kafka's <c>--all-topics</c>).</param>
    /// <param name="dryRun"><see langword="true"/> to only compute the changes.</param>
    /// <param name="cancellationToken">Cancels waiting for the commit; it may still happen.</param>
    /// <returns>Per partition, the committed offset before and the offset after.</returns>
    /// <exception cref="ArgumentException"><paramref name="groupId"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="reset"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="reset"/> shifts by N and a selected partition has no committed offset
    /// (Kafka refuses this too); nothing is committed.</exception>
    /// <exception cref="UnknownTopicOrPartitionException">A topic does not exist.</exception>
    /// <exception cref="GroupNotEmptyException">The group has active members.</exception>
    /// <exception cref="ObjectDisposedException">The broker was disposed.</exception>
    public ValueTask<IReadOnlyList<GroupOffsetChange>> ResetConsumerGroupOffsetsAsync(
        string groupId, OffsetResetSpec reset, IEnumerable<string>? topics = null, bool dryRun = true,
        CancellationToken cancellationToken = default)
        => _broker.ResetConsumerGroupOffsetsAsync(groupId, reset, topics, dryRun, cancellationToken);

    /// <summary>Deletes a group without active members: its committed offsets are removed durably.</summary>
    /// <param name="groupId">The group id.</param>
    /// <param name="cancellationToken">Cancels waiting; the deletion may still happen.</param>
    /// <returns>A task that completes when the group is gone.</returns>
    /// <exception cref="ArgumentException"><paramref name="groupId"/> is null or empty.</exception>
    /// <exception cref="GroupNotEmptyException">The group has active members.</exception>
    /// <exception cref="GroupIdNotFoundException">The group has neither members nor committed offsets.</exception>
    /// <exception cref="ObjectDisposedException">The broker was disposed.</exception>
    public ValueTask DeleteConsumerGroupAsync(string groupId, CancellationToken cancellationToken = default)
        => _broker.DeleteConsumerGroupAsync(groupId, cancellationToken);
}
