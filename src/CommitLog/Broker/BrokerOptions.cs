using CommitLog.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CommitLog;

/// <summary>Settings of a <see cref="Broker"/>. Every property has a documented default; <see cref="Default"/> holds them all.</summary>
public sealed class BrokerOptions
{
    /// <summary>Gets the options with every default.</summary>
    public static BrokerOptions Default { get; } = new();

    /// <summary>
    /// Gets this broker's node id (Kafka <c>node.id</c>, 0 or more), reported as each partition's leader; it identifies the
    /// broker once replication exists. Default 0.
    /// </summary>
    public int NodeId
    {
        get;
        init => field = value >= 0 ? value
            : throw new ArgumentOutOfRangeException(nameof(NodeId), value, "NodeId (node.id) must be 0 or more.");
    }

    /// <summary>Gets the clock for timestamps, segment age, retention and timers. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(TimeProvider));
    } = TimeProvider.System;

    /// <summary>Gets the logger factory; categories <c>CommitLog.Broker</c> and <c>CommitLog.Storage</c>. Default: no logging.</summary>
    public ILoggerFactory LoggerFactory
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(LoggerFactory));
    } = NullLoggerFactory.Instance;

    /// <summary>
    /// Gets how long the first rebalance of an empty consumer group waits for more members before it completes (Kafka's
    /// <c>group.initial.rebalance.delay.ms</c>), so that consumers starting together get one rebalance instead of one each;
    /// each member that joins during the wait extends it by the same delay, up to the rebalance timeout. Zero or more; 0 turns
    /// the wait off (tests). Default 3 s.
    /// </summary>
    public TimeSpan GroupInitialRebalanceDelay
    {
        get;
        init => field = value >= TimeSpan.Zero ? value
            : throw new ArgumentOutOfRangeException(nameof(GroupInitialRebalanceDelay), value,
                "GroupInitialRebalanceDelay (group.initial.rebalance.delay.ms) must be zero or more.");
    } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Gets the settings of a topic created without its own <see cref="TopicConfig"/> (Kafka's broker-level <c>log.*</c>
    /// defaults), e.g. <c>new TopicConfig { FlushPolicy = FlushPolicy.BeforeAck }</c>. A topic keeps the settings it was
    /// created with: changing this later does not change existing topics. Default: Kafka's topic defaults.
    /// </summary>
    public TopicConfig DefaultTopicConfig
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(DefaultTopicConfig));
    } = new();

    /// <summary>
    /// Gets the partition count of the internal <c>__consumer_offsets</c> topic when the broker creates it, at the first
    /// offset commit (Kafka <c>offsets.topic.num.partitions</c>, 1 to 1000). A group's offsets live in one partition,
    /// chosen from the group id as Kafka does; an existing topic keeps its count. Default 1: one partition serves an
    /// in-process broker's groups, and its commits share each flush.
    /// </summary>
    public int OffsetsTopicPartitions
    {
        get;
        init => field = value is >= 1 and <= 1000 ? value
            : throw new ArgumentOutOfRangeException(nameof(OffsetsTopicPartitions), value,
                "OffsetsTopicPartitions (offsets.topic.num.partitions) must be from 1 to 1000.");
    } = 1;

    /// <summary>
    /// Gets when committed offsets are forced to disk (the <c>__consumer_offsets</c> topic's flush policy, applied when the
    /// broker creates it). Default <see cref="FlushPolicy.BeforeAck"/>: a commit that completed survives a power loss,
    /// and concurrent commits share one flush.
    /// </summary>
    public FlushPolicy OffsetsTopicFlushPolicy
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(OffsetsTopicFlushPolicy));
    } = FlushPolicy.BeforeAck;

    /// <summary>
    /// Gets the broker-wide settings of every partition log that are not topic settings: <see cref="LogOptions.Storage"/>,
    /// <see cref="LogOptions.RecoveryMode"/>, <see cref="LogOptions.CheckpointInterval"/> and
    /// <see cref="LogOptions.RetentionCheckInterval"/>. Its clock and logger are replaced by <see cref="TimeProvider"/> and
    /// <see cref="LoggerFactory"/>, and its topic settings by each topic's <see cref="TopicConfig"/>. Default
    /// <see cref="LogOptions.Default"/> (real files).
    /// </summary>
    public LogOptions LogOptions
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(LogOptions));
    } = LogOptions.Default;

    /// <summary>
    /// Gets how often the broker's background cleaner compacts the partitions of topics whose <c>cleanup.policy</c>
    /// includes compact (Kafka <c>log.cleaner.backoff.ms</c>), or <see langword="null"/> to compact only on request. A
    /// partition is cleaned when its dirty ratio reaches <c>min.cleanable.dirty.ratio</c>. Default 15 seconds.
    /// </summary>
    public TimeSpan? LogCleanerBackoff
    {
        get;
        init => field = value is { } v && v <= TimeSpan.Zero
            ? throw new ArgumentOutOfRangeException(nameof(LogCleanerBackoff), value, "LogCleanerBackoff (log.cleaner.backoff.ms) must be positive, or null to turn the background cleaner off.")
            : value;
    } = TimeSpan.FromSeconds(15);

    /// <summary>Gets the cluster node that replicates this broker's topics, or <see langword="null"/> for a standalone broker.</summary>
    internal IPartitionReplication? Replication { get; init; }

    /// <summary>Returns the template that <see cref="TopicConfig.ToLogOptions"/> starts from.</summary>
    internal LogOptions LogTemplate(Storage.IO.ISegmentStorage storage) => new()
    {
        Storage = storage,
        RecoveryMode = LogOptions.RecoveryMode,
        CheckpointInterval = LogOptions.CheckpointInterval,
        RetentionCheckInterval = LogOptions.RetentionCheckInterval,
        TimeProvider = TimeProvider,
        LoggerFactory = LoggerFactory,
    };
}
