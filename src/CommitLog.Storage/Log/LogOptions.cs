using CommitLog.Storage.IO;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CommitLog.Storage;

/// <summary>
/// Settings of one partition log. Names follow Kafka's topic configs; defaults are Kafka's unless noted.
/// Invalid values are rejected when set, with a message naming the setting and the allowed range.
/// </summary>
public sealed class LogOptions
{
    /// <summary>The smallest allowed <see cref="SegmentBytes"/> (Kafka's minimum for <c>segment.bytes</c> is 14 bytes; ours leaves room for one header).</summary>
    public const int MinSegmentBytes = 1024;

    /// <summary>Gets an instance with every default.</summary>
    public static LogOptions Default { get; } = new();

    /// <summary>Gets the size at which the active segment rolls (<c>segment.bytes</c>). Default 1 GiB.</summary>
    public long SegmentBytes
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, MinSegmentBytes, nameof(SegmentBytes) + " (segment.bytes)");
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, int.MaxValue, nameof(SegmentBytes) + " (segment.bytes)");
            field = value;
        }
    } = 1L << 30;

    /// <summary>Gets the age at which the active segment rolls even if not full (<c>segment.ms</c>). Default 7 days.</summary>
    public TimeSpan SegmentMs
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero, nameof(SegmentMs) + " (segment.ms)");
            field = value;
        }
    } = TimeSpan.FromDays(7);

    /// <summary>
    /// Gets how long a sealed segment is kept after its newest record (<c>retention.ms</c>), or <see langword="null"/>
    /// to keep forever (Kafka's -1). Default 7 days.
    /// </summary>
    public TimeSpan? RetentionMs
    {
        get;
        init => field = PositiveOrNull(value, nameof(RetentionMs), "retention.ms must be positive, or null to keep data forever.");
    } = TimeSpan.FromDays(7);

    /// <summary>Gets the size the log may keep before deleting its oldest segments (<c>retention.bytes</c>); -1 for no limit (default).</summary>
    public long RetentionBytes
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, -1, nameof(RetentionBytes) + " (retention.bytes, -1 for no limit)");
            field = value;
        }
    } = -1;

    /// <summary>Gets the largest batch the log accepts (<c>max.message.bytes</c>). Default 1 MiB + 12 bytes.</summary>
    public int MaxMessageBytes
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, RecordBatchHeader.Size, nameof(MaxMessageBytes) + " (max.message.bytes)");
            field = value;
        }
    } = (1 << 20) + 12;

    /// <summary>Gets how many bytes are appended between two offset-index entries (<c>index.interval.bytes</c>). Default 4096.</summary>
    public int IndexIntervalBytes
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(IndexIntervalBytes) + " (index.interval.bytes)");
            field = value;
        }
    } = 4096;

    /// <summary>Gets when written data is forced to the device. Default <see cref="FlushPolicy.Os"/>, as in Kafka.</summary>
    public FlushPolicy FlushPolicy
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(FlushPolicy));
    } = FlushPolicy.Os;

    /// <summary>Gets whether record timestamps are the producer's or the log's append time (<c>message.timestamp.type</c>). Default CreateTime.</summary>
    public TimestampType TimestampType
    {
        get;
        init
        {
            if (value is not (TimestampType.CreateTime or TimestampType.LogAppendTime))
            {
                throw new ArgumentOutOfRangeException(nameof(TimestampType), value, "message.timestamp.type must be CreateTime or LogAppendTime.");
            }

            field = value;
        }
    } = TimestampType.CreateTime;

    /// <summary>Gets what recovery does with damage in flushed data. Default <see cref="RecoveryMode.Strict"/>.</summary>
    public RecoveryMode RecoveryMode
    {
        get;
        init
        {
            if (value is not (RecoveryMode.Strict or RecoveryMode.Salvage))
            {
                throw new ArgumentOutOfRangeException(nameof(RecoveryMode), value, "RecoveryMode must be Strict or Salvage.");
            }

            field = value;
        }
    } = RecoveryMode.Strict;

    /// <summary>
    /// Gets how often the recovery point is checkpointed (Kafka <c>log.flush.offset.checkpoint.interval.ms</c>).
    /// After a crash, recovery re-validates data from the last checkpoint on, so this bounds reopen time. The
    /// checkpoint is also written on every segment roll and on close. Default 60 s.
    /// </summary>
    public TimeSpan CheckpointInterval
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero, nameof(CheckpointInterval));
            field = value;
        }
    } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Gets how often retention runs in the background (Kafka <c>log.retention.check.interval.ms</c>), or
    /// <see langword="null"/> to run it only through <see cref="PartitionLog.EnforceRetention"/>. Default 5 minutes.
    /// </summary>
    public TimeSpan? RetentionCheckInterval
    {
        get;
        init => field = PositiveOrNull(value, nameof(RetentionCheckInterval), "The retention check interval must be positive, or null.");
    } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Gets how long the log keeps the idempotence state of a producer id after the max timestamp of its last batch
    /// (Kafka <c>producer.id.expiration.ms</c>). Expired ids are dropped when a snapshot is taken (at each roll and
    /// at close); a producer id the log no longer knows may start at any sequence. This bounds the number of producer
    /// ids the log remembers. Default 1 day.
    /// </summary>
    public TimeSpan ProducerIdExpiration
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero, nameof(ProducerIdExpiration) + " (producer.id.expiration.ms)");
            field = value;
        }
    } = TimeSpan.FromDays(1);

    /// <summary>
    /// Gets what happens to old records (<c>cleanup.policy</c>): <see cref="LogCleanupPolicy.Delete"/> (time and size
    /// retention), <see cref="LogCleanupPolicy.Compact"/> (latest record per key) or both. Time and size retention apply
    /// only when the policy includes Delete. Default Delete.
    /// </summary>
    public LogCleanupPolicy CleanupPolicy
    {
        get;
        init
        {
            if (value is not (LogCleanupPolicy.Delete or LogCleanupPolicy.Compact or (LogCleanupPolicy.Delete | LogCleanupPolicy.Compact)))
            {
                throw new ArgumentOutOfRangeException(nameof(CleanupPolicy), value, "cleanup.policy must be Delete, Compact or both (Delete | Compact).");
            }

            field = value;
        }
    } = LogCleanupPolicy.Delete;

    /// <summary>
    /// Gets how long the cleaner keeps a tombstone (a record with a null value) after the segment it was cleaned into
    /// was last changed by new records (<c>delete.retention.ms</c>), so that consumers reading behind see the delete.
    /// Zero or more. Default 1 day.
    /// </summary>
    public TimeSpan DeleteRetention
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero, nameof(DeleteRetention) + " (delete.retention.ms)");
            field = value;
        }
    } = TimeSpan.FromDays(1);

    /// <summary>
    /// Gets the share of not-yet-cleaned bytes in the cleanable part of the log at which the cleaner runs
    /// (<c>min.cleanable.dirty.ratio</c>), 0 to 1. Default 0.5.
    /// </summary>
    public double MinCleanableDirtyRatio
    {
        get;
        init
        {
            if (!(value is >= 0 and <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(MinCleanableDirtyRatio), value, "min.cleanable.dirty.ratio must be between 0 and 1.");
            }

            field = value;
        }
    } = 0.5;

    /// <summary>
    /// Gets how old a record must be before the cleaner may remove records it supersedes (<c>min.compaction.lag.ms</c>):
    /// a segment whose newest timestamp is younger than this is not cleaned. Zero or more. Default 0.
    /// </summary>
    public TimeSpan MinCompactionLag
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero, nameof(MinCompactionLag) + " (min.compaction.lag.ms)");
            field = value;
        }
    } = TimeSpan.Zero;

    /// <summary>
    /// Gets the most distinct keys one cleaner run maps (Kafka bounds this memory with
    /// <c>log.cleaner.dedupe.buffer.size</c>): a run stops before the dirty segment that would start past it, and the
    /// next run continues from there. At least one dirty segment is always mapped. Default 4 million.
    /// </summary>
    internal int CleanerMaxKeys
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(CleanerMaxKeys));
            field = value;
        }
    } = 4_000_000;

    /// <summary>
    /// Gets a value indicating whether the high watermark is kept apart from the log end offset, for a replicated
    /// partition. When false (default), <see cref="PartitionLog.HighWatermark"/> is the log end offset. When true, it
    /// starts at the value persisted in the partition checkpoint (at most the log end offset) and moves only through
    /// <see cref="PartitionLog.UpdateHighWatermark"/>; consumers read below it and retention never deletes at or above it.
    /// </summary>
    public bool ReplicatedHighWatermark { get; init; }

    /// <summary>Gets the storage all file I/O goes through. Default: the real file system.</summary>
    public ISegmentStorage? Storage { get; init; }

    /// <summary>Gets the clock for timestamps, segment age, retention and timers. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(TimeProvider));
    } = TimeProvider.System;

    /// <summary>Gets the logger factory; category <c>CommitLog.Storage</c>. Default: no logging.</summary>
    public ILoggerFactory LoggerFactory
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(LoggerFactory));
    } = NullLoggerFactory.Instance;

    private static TimeSpan? PositiveOrNull(TimeSpan? value, string name, string message)
        => value is { } v && v <= TimeSpan.Zero ? throw new ArgumentOutOfRangeException(name, value, message) : value;
}
