namespace CommitLog;

/// <summary>
/// How many replicas must hold a record before the producer reports it delivered (Kafka <c>acks</c>). The values
/// are the numbers Kafka uses on the wire.
/// </summary>
public enum Acks
{
    /// <summary>Do not wait (<c>acks=0</c>): the record counts as delivered once handed over; it may be lost.</summary>
    None = 0,

    /// <summary>Wait for the partition leader to append the record (<c>acks=1</c>).</summary>
    Leader = 1,

    /// <summary>Wait for every in-sync replica (<c>acks=all</c> or <c>-1</c>); Kafka's default.</summary>
    All = -1,
}
