namespace CommitLog.Storage;

/// <summary>
/// Error codes carried by every <see cref="CommitLogException"/>. Values and names follow Kafka's protocol error
/// codes where Kafka has one, so that the same condition has the same number on the wire and in the log.
/// </summary>
public enum ErrorCode
{
    /// <summary>An error without a more specific code.</summary>
    Unknown = -1,

    /// <summary>No error (Kafka NONE): what protocol answers such as the group coordinator's carry on success.</summary>
    None = 0,

    /// <summary>The requested offset is outside the range the log holds (Kafka OFFSET_OUT_OF_RANGE).</summary>
    OffsetOutOfRange = 1,

    /// <summary>A record batch failed validation: bad CRC, magic, length or offsets (Kafka CORRUPT_MESSAGE).</summary>
    CorruptMessage = 2,

    /// <summary>The partition does not exist (Kafka UNKNOWN_TOPIC_OR_PARTITION).</summary>
    UnknownTopicOrPartition = 3,

    /// <summary>This node does not lead the partition (any more), or cannot reach its leader (Kafka NOT_LEADER_OR_FOLLOWER); retriable.</summary>
    NotLeaderOrFollower = 6,

    /// <summary>A request was not completed in time, e.g. a produced batch was not acknowledged within
    /// <c>delivery.timeout.ms</c> (Kafka REQUEST_TIMED_OUT).</summary>
    RequestTimedOut = 7,

    /// <summary>A batch is larger than <c>max.message.bytes</c> (Kafka MESSAGE_TOO_LARGE).</summary>
    MessageTooLarge = 10,

    /// <summary>Offset metadata is longer than the broker allows (Kafka OFFSET_METADATA_TOO_LARGE).</summary>
    OffsetMetadataTooLarge = 12,

    /// <summary>The group coordinator is loading the group's state after it took the group over; retry shortly (Kafka
    /// COORDINATOR_LOAD_IN_PROGRESS); retriable.</summary>
    CoordinatorLoadInProgress = 14,

    /// <summary>The group's coordinator cannot be reached or the group's offsets partition has no leader (Kafka
    /// COORDINATOR_NOT_AVAILABLE); retriable after finding the coordinator again.</summary>
    CoordinatorNotAvailable = 15,

    /// <summary>The node asked is not (any more) the group's coordinator (Kafka NOT_COORDINATOR); retriable after finding
    /// the coordinator again.</summary>
    NotCoordinator = 16,

    /// <summary>A topic name is not legal or collides with an existing one (Kafka INVALID_TOPIC_EXCEPTION).</summary>
    InvalidTopic = 17,

    /// <summary>An <c>acks=all</c> write was refused: fewer in-sync replicas than <c>min.insync.replicas</c>; nothing was
    /// appended (Kafka NOT_ENOUGH_REPLICAS); retriable.</summary>
    NotEnoughReplicas = 19,

    /// <summary>An <c>acks=all</c> write was appended but the ISR shrank below <c>min.insync.replicas</c> before it was
    /// committed; not acknowledged (Kafka NOT_ENOUGH_REPLICAS_AFTER_APPEND); retriable.</summary>
    NotEnoughReplicasAfterAppend = 20,

    /// <summary>A group member used a generation that is no longer current (Kafka ILLEGAL_GENERATION).</summary>
    IllegalGeneration = 22,

    /// <summary>A member's protocol type or assignors match none of the group's (Kafka INCONSISTENT_GROUP_PROTOCOL).</summary>
    InconsistentGroupProtocol = 23,

    /// <summary>The group id is empty or not allowed (Kafka INVALID_GROUP_ID).</summary>
    InvalidGroupId = 24,

    /// <summary>The member id is not known to the group, e.g. it was removed after a timeout (Kafka UNKNOWN_MEMBER_ID).</summary>
    UnknownMemberId = 25,

    /// <summary>The session timeout is outside the range the coordinator allows (Kafka INVALID_SESSION_TIMEOUT).</summary>
    InvalidSessionTimeout = 26,

    /// <summary>The group is rebalancing; the member must rejoin (Kafka REBALANCE_IN_PROGRESS).</summary>
    RebalanceInProgress = 27,

    /// <summary>A topic with this name already exists or is being deleted (Kafka TOPIC_ALREADY_EXISTS).</summary>
    TopicAlreadyExists = 36,

    /// <summary>A partition count is not allowed: not positive, or not larger than the current one (Kafka INVALID_PARTITIONS).</summary>
    InvalidPartitions = 37,

    /// <summary>A producer sequence number does not follow the previous one (Kafka OUT_OF_ORDER_SEQUENCE_NUMBER).</summary>
    OutOfOrderSequenceNumber = 45,

    /// <summary>A retried batch was sent together with other batches, so it can be neither appended nor acknowledged alone (Kafka DUPLICATE_SEQUENCE_NUMBER).</summary>
    DuplicateSequenceNumber = 46,

    /// <summary>A producer sent a batch with an epoch older than the one the log has seen for its producer id (Kafka INVALID_PRODUCER_EPOCH).</summary>
    InvalidProducerEpoch = 47,

    /// <summary>The log's storage failed and the partition stopped accepting writes (Kafka KAFKA_STORAGE_ERROR).</summary>
    KafkaStorageError = 56,

    /// <summary>The operation needs a group without active members (Kafka NON_EMPTY_GROUP).</summary>
    NonEmptyGroup = 68,

    /// <summary>The group does not exist (Kafka GROUP_ID_NOT_FOUND).</summary>
    GroupIdNotFound = 69,

    /// <summary>A new member must rejoin with the member id it was given (Kafka MEMBER_ID_REQUIRED).</summary>
    MemberIdRequired = 79,

    /// <summary>Another member with the same group.instance.id replaced this one (Kafka FENCED_INSTANCE_ID).</summary>
    FencedInstanceId = 82,

    /// <summary>A record is invalid for this log, e.g. bad timestamps or a malformed record (Kafka INVALID_RECORD).</summary>
    InvalidRecord = 87,

    /// <summary>The log directory is already opened by another process or instance.</summary>
    LogDirectoryLocked = 1001,

    /// <summary>The object was used after it was disposed.</summary>
    Disposed = 1002,
}
