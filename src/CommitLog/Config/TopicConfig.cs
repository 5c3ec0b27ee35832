using CommitLog.Storage;

namespace CommitLog;

/// <summary>
/// Topic settings, with Kafka's topic config keys and defaults. Build it from Kafka-style string settings
/// (<see cref="TopicConfig(IEnumerable{KeyValuePair{string, string}})"/>) or with typed init properties; each
/// property's documentation names its Kafka key. <see cref="ToLogOptions"/> turns it into the settings of each
/// partition's log.
/// </summary>
public sealed class TopicConfig
{
    /// <summary>Creates a configuration with every default.</summary>
    public TopicConfig()
    {
    }

    /// <summary>Creates a configuration from Kafka-style settings, e.g. <c>["retention.ms"] = "604800000"</c>.</summary>
    /// <param name="settings">Key/value pairs; keys are case-sensitive, values are trimmed. A dictionary works too.</param>
    /// <exception cref="ArgumentNullException"><paramref name="settings"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A key is unknown (the message suggests the closest one) or given twice; or a value is
    /// malformed or out of range (the message names the key, the value and what is allowed).</exception>
    public TopicConfig(IEnumerable<KeyValuePair<string, string>> settings)
    {
        long flushMessages = long.MaxValue;
        TimeSpan? flushMs = null;
        bool flushGiven = false;
        foreach ((string key, string value) in ConfigParser.KnownEntries(settings, ConfigSchema.Topic, []))
        {
            switch (key)
            {
                case "cleanup.policy": CleanupPolicy = ParseCleanupPolicy(key, value); break;
                case "compression.type":
                    CompressionType = ProducerConfig.ParseCompression(key, value, forTopic: true);
                    break;
                case "retention.ms":
                    RetentionMs = ConfigParser.ParseInt64(key, value, -1, long.MaxValue) is var ms and >= 0
                        ? TimeSpan.FromMilliseconds(Math.Max(ms, 1)) : null;
                    break;
                case "retention.bytes": RetentionBytes = ConfigParser.ParseInt64(key, value, -1, long.MaxValue); break;
                case "segment.bytes": SegmentBytes = ConfigParser.ParseInt64(key, value, LogOptions.MinSegmentBytes, int.MaxValue); break;
                case "segment.ms": SegmentMs = ConfigParser.ParseMs(key, value, 1, long.MaxValue / TimeSpan.TicksPerMillisecond); break;
                case "max.message.bytes":
                    MaxMessageBytes = ConfigParser.ParseInt32(key, value, RecordBatchHeader.Size, int.MaxValue);
                    break;
                case "index.interval.bytes": IndexIntervalBytes = ConfigParser.ParseInt32(key, value, 0, int.MaxValue); break;
                case "message.timestamp.type":
                    MessageTimestampType = ConfigParser.ParseChoice(
                        key, value, [("CreateTime", TimestampType.CreateTime), ("LogAppendTime", TimestampType.LogAppendTime)]);
                    break;
                case "min.insync.replicas": MinInsyncReplicas = ConfigParser.ParseInt32(key, value, 1, int.MaxValue); break;
                case "replication.factor": ReplicationFactor = ConfigParser.ParseInt32(key, value, 1, short.MaxValue); break;
                case "flush.messages": (flushMessages, flushGiven) = (ConfigParser.ParseInt64(key, value, 1, long.MaxValue), true); break;
                case "flush.ms":
                    long flush = ConfigParser.ParseInt64(key, value, 1, long.MaxValue);
                    (flushMs, flushGiven) = (flush == long.MaxValue ? null : TimeSpan.FromMilliseconds(flush), true);
                    break;
                case "delete.retention.ms":
                    DeleteRetentionMs = ConfigParser.ParseMs(key, value, 0, long.MaxValue / TimeSpan.TicksPerMillisecond);
                    break;
                case "min.cleanable.dirty.ratio": MinCleanableDirtyRatio = ConfigParser.ParseDouble(key, value, 0, 1); break;
                case "min.compaction.lag.ms":
                    MinCompactionLagMs = ConfigParser.ParseMs(key, value, 0, long.MaxValue / TimeSpan.TicksPerMillisecond);
                    break;
                default: throw new InvalidOperationException($"Unhandled topic key '{key}'.");
            }
        }

        if (flushGiven)
        {
            FlushPolicy = FlushPolicy.Every(flushMessages, flushMs);
        }
    }

    /// <summary>Gets what happens to old records (<c>cleanup.policy</c>: delete, compact, or compact,delete). Default delete.</summary>
    public CleanupPolicy CleanupPolicy
    {
        get;
        init => field = value is CleanupPolicy.Delete or CleanupPolicy.Compact or (CleanupPolicy.Delete | CleanupPolicy.Compact)
            ? value
            : throw new ArgumentOutOfRangeException("cleanup.policy", value, "cleanup.policy must be Delete, Compact or both.");
    } = CleanupPolicy.Delete;

    /// <summary>
    /// Gets the codec the log stores batches with (<c>compression.type</c>: producer, none, gzip, lz4), or
    /// <see langword="null"/> for <c>producer</c>: keep the producer's codec. Default producer.
    /// </summary>
    public CompressionType? CompressionType
    {
        get;
        init => field = value is { } codec ? ProducerConfig.CheckCompression("compression.type", codec) : null;
    }

    /// <summary>Gets how long records are kept (<c>retention.ms</c>), or <see langword="null"/> to keep them forever (Kafka's -1). Default
    /// 7 days.</summary>
    public TimeSpan? RetentionMs
    {
        get;
        init => field = value is { } v ? ConfigParser.CheckMs("retention.ms", v, 1, long.MaxValue / TimeSpan.TicksPerMillisecond) : null;
    } = TimeSpan.FromDays(7);

    /// <summary>Gets the bytes each partition may keep before its oldest segments are deleted (<c>retention.bytes</c>), -1 for no limit.
    /// Default -1.</summary>
    public long RetentionBytes
    {
        get;
        init => field = ConfigParser.CheckRange("retention.bytes", value, -1, long.MaxValue);
    } = -1;

    /// <summary>Gets the size at which a segment file rolls (<c>segment.bytes</c>, 1024 to Integer.MAX_VALUE). Default 1 GiB.</summary>
    public long SegmentBytes
    {
        get;
        init => field = ConfigParser.CheckRange("segment.bytes", value, LogOptions.MinSegmentBytes, int.MaxValue);
    } = 1L << 30;

    /// <summary>Gets the age at which a segment rolls even if not full (<c>segment.ms</c>). Default 7 days.</summary>
    public TimeSpan SegmentMs
    {
        get;
        init => field = ConfigParser.CheckMs("segment.ms", value, 1, long.MaxValue / TimeSpan.TicksPerMillisecond);
    } = TimeSpan.FromDays(7);

    /// <summary>Gets the largest batch the topic accepts, in bytes (<c>max.message.bytes</c>). Default 1048588 (1 MiB + 12).</summary>
    public int MaxMessageBytes
    {
        get;
        init => field = ConfigParser.CheckRange("max.message.bytes", value, RecordBatchHeader.Size, int.MaxValue);
    } = (1 << 20) + 12;

    /// <summary>Gets the bytes appended between two offset-index entries (<c>index.interval.bytes</c>). Default 4096.</summary>
    public int IndexIntervalBytes
    {
        get;
        init => field = ConfigParser.CheckRange("index.interval.bytes", value, 0, int.MaxValue);
    } = 4096;

    /// <summary>Gets whether records keep the producer's timestamp or get the append time (<c>message.timestamp.type</c>: CreateTime,
    /// LogAppendTime). Default CreateTime.</summary>
    public TimestampType MessageTimestampType
    {
        get;
        init => field = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException("message.timestamp.type", value,
            "Allowed: CreateTime, LogAppendTime.");
    } = TimestampType.CreateTime;

    /// <summary>Gets how many replicas must be in sync for an <c>acks=all</c> write to succeed (<c>min.insync.replicas</c>). Default
    /// 1.</summary>
    public int MinInsyncReplicas
    {
        get;
        init => field = ConfigParser.CheckRange("min.insync.replicas", value, 1, int.MaxValue);
    } = 1;

    /// <summary>Gets how many copies of each partition are kept (<c>replication.factor</c>, 1 to 32767). Default 1.</summary>
    public int ReplicationFactor
    {
        get;
        init => field = ConfigParser.CheckRange("replication.factor", value, 1, short.MaxValue);
    } = 1;

    /// <summary>
    /// Gets when written data is forced to disk: <see cref="FlushPolicy.Os"/> (Kafka's default),
    /// <see cref="FlushPolicy.BeforeAck"/> (<c>flush.messages=1</c>, group-committed) or
    /// <see cref="FlushPolicy.Every"/> (<c>flush.messages</c> and <c>flush.ms</c>).
    /// </summary>
    public FlushPolicy FlushPolicy
    {
        get;
        init => field = value ?? throw new ArgumentNullException("flush.messages");
    } = FlushPolicy.Os;

    /// <summary>Gets the records between forced flushes (<c>flush.messages</c>), from <see cref="FlushPolicy"/>; Long.MAX_VALUE for
    /// never.</summary>
    public long FlushMessages => FlushPolicy.Messages;

    /// <summary>Gets the longest time data may stay unflushed (<c>flush.ms</c>), from <see cref="FlushPolicy"/>; <see langword="null"/> for
    /// no limit.</summary>
    public TimeSpan? FlushMs => FlushPolicy.Interval;

    /// <summary>Gets how long tombstones are kept on compacted topics (<c>delete.retention.ms</c>). Default 1 day.</summary>
    public TimeSpan DeleteRetentionMs
    {
        get;
        init => field = ConfigParser.CheckMs("delete.retention.ms", value, 0, long.MaxValue / TimeSpan.TicksPerMillisecond);
    } = TimeSpan.FromDays(1);

    /// <summary>Gets the share of uncompacted bytes that triggers compaction (<c>min.cleanable.dirty.ratio</c>, 0 to 1). Default
    /// 0.5.</summary>
    public double MinCleanableDirtyRatio
    {
        get;
        init => field = ConfigParser.CheckRange("min.cleanable.dirty.ratio", value, 0, 1);
    } = 0.5;

    /// <summary>Gets how long a record stays uncompacted at least (<c>min.compaction.lag.ms</c>). Default 0.</summary>
    public TimeSpan MinCompactionLagMs
    {
        get;
        init => field = ConfigParser.CheckMs("min.compaction.lag.ms", value, 0, long.MaxValue / TimeSpan.TicksPerMillisecond);
    }

    /// <summary>
    /// Returns the settings of one partition's log: segment size and age, retention, the largest batch, the index
    /// interval, the flush policy, the timestamp type and the cleanup policy with its compaction settings come from this
    /// topic; storage, clock, logging, recovery and background intervals come from <paramref name="template"/>.
    /// </summary>
    /// <param name="template">The broker-wide log settings to start from; default <see cref="LogOptions.Default"/>.</param>
    /// <returns>The log options.</returns>
    public LogOptions ToLogOptions(LogOptions? template = null) => ToReplicaLogOptions(template, replicatedHighWatermark: false);

    /// <summary>Like <see cref="ToLogOptions(LogOptions?)"/>; <paramref name="replicatedHighWatermark"/> sets
    /// <see cref="LogOptions.ReplicatedHighWatermark"/> (a replicated topic on a cluster node).</summary>
    internal LogOptions ToReplicaLogOptions(LogOptions? template, bool replicatedHighWatermark)
    {
        template ??= LogOptions.Default;
        return new LogOptions
        {
            SegmentBytes = SegmentBytes,
            SegmentMs = SegmentMs,
            RetentionMs = RetentionMs,
            RetentionBytes = RetentionBytes,
            MaxMessageBytes = MaxMessageBytes,
            IndexIntervalBytes = IndexIntervalBytes,
            FlushPolicy = FlushPolicy,
            TimestampType = MessageTimestampType,
            CleanupPolicy = (LogCleanupPolicy)(int)CleanupPolicy,
            DeleteRetention = DeleteRetentionMs,
            MinCleanableDirtyRatio = MinCleanableDirtyRatio,
            MinCompactionLag = MinCompactionLagMs,
            RecoveryMode = template.RecoveryMode,
            CheckpointInterval = template.CheckpointInterval,
            RetentionCheckInterval = template.RetentionCheckInterval,
            Storage = template.Storage,
            TimeProvider = template.TimeProvider,
            LoggerFactory = template.LoggerFactory,
            ReplicatedHighWatermark = replicatedHighWatermark,
        };
    }

    private static CleanupPolicy ParseCleanupPolicy(string key, string value)
    {
        CleanupPolicy policy = 0;
        foreach (string part in value.Split(',', StringSplitOptions.TrimEntries))
        {
            policy |= ConfigParser.ParseChoice(key, part, [("delete", CleanupPolicy.Delete), ("compact", CleanupPolicy.Compact)]);
        }

        return policy != 0 ? policy
            : throw new ArgumentException($"Invalid value '{value}' for '{key}': allowed values are delete, compact, compact,delete.", key);
    }
}
