namespace CommitLog;

/// <summary>One partition of a described topic, with its log positions at the time of the call.</summary>
/// <param name="Partition">The partition number.</param>
/// <param name="LogStartOffset">The first offset still in the log.</param>
/// <param name="LogEndOffset">The offset the next record will get.</param>
/// <param name="HighWatermark">The offset below which records are visible to consumers.</param>
/// <param name="SizeBytes">The size of the partition's segment files in bytes.</param>
/// <param name="SegmentCount">The number of segments.</param>
/// <param name="Leader">The node that leads the partition (the broker's <see cref="BrokerOptions.NodeId"/> until replication).</param>
public sealed record PartitionDescription(
    int Partition, long LogStartOffset, long LogEndOffset, long HighWatermark, long SizeBytes, int SegmentCount, int Leader);
