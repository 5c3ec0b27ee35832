namespace CommitLog.Replication.Protocol;

/// <summary>Per-partition error codes of the replication protocol; the values are Kafka's, so the names and numbers match its documentation.</summary>
internal enum ReplicationErrorCode : short
{
    /// <summary>The server failed in a way it cannot describe better.</summary>
    UnknownServerError = -1,

    /// <summary>No error.</summary>
    None = 0,

    /// <summary>The fetch offset is below the leader's log start or above its log end.</summary>
    OffsetOutOfRange = 1,

    /// <summary>A record batch failed its CRC or framing checks.</summary>
    CorruptMessage = 2,

    /// <summary>The node holds no replica of the partition.</summary>
    UnknownTopicOrPartition = 3,

    /// <summary>The node is not the partition's leader (for a fetch or produce) in the epoch it knows.</summary>
    NotLeaderOrFollower = 6,

    /// <summary>An <c>acks=all</c> produce did not reach the in-sync replicas before its timeout.</summary>
    RequestTimedOut = 7,

    /// <summary>A batch is larger than the log accepts.</summary>
    MessageTooLarge = 10,

    /// <summary>Fewer in-sync replicas than <c>min.insync.replicas</c>: nothing was appended.</summary>
    NotEnoughReplicas = 19,

    /// <summary>The batch was appended, but the ISR shrank below <c>min.insync.replicas</c> before it was committed.</summary>
    NotEnoughReplicasAfterAppend = 20,

    /// <summary>The <c>acks</c> value is not 1 or -1.</summary>
    InvalidRequiredAcks = 21,

    /// <summary>The batch's sequence does not follow the producer's last one.</summary>
    OutOfOrderSequenceNumber = 45,

    /// <summary>The producer's epoch is older than the one the log knows.</summary>
    InvalidProducerEpoch = 47,

    /// <summary>The log failed to write (the log is fail-stopped or the disk is full).</summary>
    KafkaStorageError = 56,

    /// <summary>The request's leader epoch is older than the receiver's.</summary>
    FencedLeaderEpoch = 74,

    /// <summary>The request's leader epoch is newer than the receiver's (its metadata is behind).</summary>
    UnknownLeaderEpoch = 75,
}
