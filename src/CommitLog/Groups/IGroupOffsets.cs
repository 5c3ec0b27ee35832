namespace CommitLog.Groups;

/// <summary>
/// The committed offsets of every consumer group, kept durably in the internal compacted topic
/// <c>__consumer_offsets</c> and served from memory. The broker owns the one instance.
/// </summary>
internal interface IGroupOffsets
{
    /// <summary>
    /// Commits offsets for a group, all or none: the commit is durable (per the offsets topic's flush policy) when the
    /// returned task completes.
    /// </summary>
    /// <param name="groupId">The group.</param>
    /// <param name="generation">The committing member's generation, or <see cref="GroupGeneration.None"/>.</param>
    /// <param name="offsets">The offsets; each partition at most once.</param>
    /// <param name="cancellationToken">Cancels waiting; the commit may still happen.</param>
    /// <returns>A task that completes when the offsets are stored.</returns>
    /// <exception cref="CommitFailedException">The generation is stale or the member was removed from the group, or a
    /// consumer outside the group commits while the group has members.</exception>
    /// <exception cref="UnknownTopicOrPartitionException">A partition does not exist.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An offset is negative or beyond the partition's log end offset.</exception>
    ValueTask CommitAsync(
        string groupId, GroupGeneration generation, IReadOnlyList<OffsetCommit> offsets, CancellationToken cancellationToken = default);

    /// <summary>Returns the committed offsets of a group: of <paramref name="partitions"/>, or of every partition the group
    /// committed if it is <see langword="null"/>. Partitions without a committed offset are left out.</summary>
    /// <param name="groupId">The group.</param>
    /// <param name="partitions">The partitions to look up, or <see langword="null"/> for all.</param>
    /// <returns>The committed offsets by partition.</returns>
    IReadOnlyDictionary<TopicPartition, CommittedOffset> Fetch(string groupId, IReadOnlyCollection<TopicPartition>? partitions = null);
}
