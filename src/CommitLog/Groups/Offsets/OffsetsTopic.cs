namespace CommitLog.Groups;

/// <summary>
/// The internal topic that holds committed offsets, <c>__consumer_offsets</c> (Kafka's name and record format), and
/// which of its partitions holds a group (Kafka's rule, so a group maps to the same partition as in Kafka).
/// </summary>
internal static class OffsetsTopic
{
    /// <summary>The topic name.</summary>
    public const string Name = "__consumer_offsets";

    /// <summary>The segment size of the topic (Kafka's <c>offsets.topic.segment.bytes</c>, 100 MiB).</summary>
    public const long SegmentBytes = 100L * 1024 * 1024;

    /// <summary>The longest metadata stored with an offset, in bytes (Kafka's <c>offset.metadata.max.bytes</c>).</summary>
    public const int MaxMetadataBytes = 4096;

    /// <summary>Returns whether <paramref name="topic"/> is a topic the broker keeps for itself.</summary>
    /// <param name="topic">The topic name.</param>
    /// <returns><see langword="true"/> for <c>__consumer_offsets</c> and <c>__transaction_state</c>.</returns>
    public static bool IsInternal(string topic)
        => topic is Name or "__transaction_state";

    /// <summary>Returns the partition of the offsets topic that holds <paramref name="groupId"/>: the absolute value
    /// of Java's <c>String.hashCode</c> modulo the partition count, as Kafka computes it.</summary>
    /// <param name="groupId">The group.</param>
    /// <param name="partitionCount">The offsets topic's partition count.</param>
    /// <returns>The partition.</returns>
    public static int PartitionFor(string groupId, int partitionCount)
    {
        int hash = 0;
        foreach (char c in groupId)
        {
            hash = unchecked((31 * hash) + c);
        }

        int positive = hash == int.MinValue ? 0 : Math.Abs(hash);
        return positive % partitionCount;
    }
}
