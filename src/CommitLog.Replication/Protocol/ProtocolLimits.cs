namespace CommitLog.Replication.Protocol;

/// <summary>Bounds the decoder enforces before it allocates anything, so a hostile or corrupt message cannot make it allocate more.</summary>
/// <param name="MaxPartitions">The most partitions one message may carry.</param>
/// <param name="MaxTopicBytes">The longest topic name, in UTF-8 bytes (Kafka allows 249 characters).</param>
/// <param name="MaxRecordsBytes">The most record bytes one partition entry may carry.</param>
internal sealed record ProtocolLimits(int MaxPartitions, int MaxTopicBytes, int MaxRecordsBytes)
{
    /// <summary>Gets the defaults: 1,000 partitions, 249-byte topics, 8 MiB of records per partition.</summary>
    public static ProtocolLimits Default { get; } = new(1000, 249, 8 * 1024 * 1024);
}
