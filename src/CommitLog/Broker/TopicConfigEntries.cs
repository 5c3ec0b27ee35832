using System.Globalization;
using CommitLog.Storage;

namespace CommitLog;

/// <summary>
/// Turns a <see cref="TopicConfig"/> back into Kafka's key/value strings, the inverse of
/// <see cref="TopicConfig(IEnumerable{KeyValuePair{string, string}})"/>. The broker stores a topic's settings this way
/// (only the keys that differ from Kafka's defaults, as Kafka stores topic overrides).
/// </summary>
internal static class TopicConfigEntries
{
    private static readonly IReadOnlyDictionary<string, string> Defaults = ToEntries(new TopicConfig());

    /// <summary>Returns every setting of <paramref name="config"/> as Kafka strings, in key order.</summary>
    public static SortedDictionary<string, string> ToEntries(TopicConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["cleanup.policy"] = config.CleanupPolicy switch
            {
                CleanupPolicy.Delete => "delete",
                CleanupPolicy.Compact => "compact",
                _ => "compact,delete",
            },
            ["compression.type"] = config.CompressionType is { } codec ? codec.ToString().ToLowerInvariant() : "producer",
            ["retention.ms"] = config.RetentionMs is { } retention ? Ms(retention) : "-1",
            ["retention.bytes"] = Number(config.RetentionBytes),
            ["segment.bytes"] = Number(config.SegmentBytes),
            ["segment.ms"] = Ms(config.SegmentMs),
            ["max.message.bytes"] = Number(config.MaxMessageBytes),
            ["index.interval.bytes"] = Number(config.IndexIntervalBytes),
            ["message.timestamp.type"] = config.MessageTimestampType == TimestampType.LogAppendTime ? "LogAppendTime" : "CreateTime",
            ["min.insync.replicas"] = Number(config.MinInsyncReplicas),
            ["replication.factor"] = Number(config.ReplicationFactor),
            ["flush.messages"] = Number(config.FlushMessages),
            ["flush.ms"] = config.FlushMs is { } flush ? Ms(flush) : Number(long.MaxValue),
            ["delete.retention.ms"] = Ms(config.DeleteRetentionMs),
            ["min.cleanable.dirty.ratio"] = config.MinCleanableDirtyRatio.ToString("R", CultureInfo.InvariantCulture),
            ["min.compaction.lag.ms"] = Ms(config.MinCompactionLagMs),
        };
    }

    /// <summary>Returns the settings of <paramref name="config"/> that differ from Kafka's defaults.</summary>
    public static List<KeyValuePair<string, string>> ToOverrides(TopicConfig config)
        => [.. ToEntries(config).Where(e => !string.Equals(Defaults[e.Key], e.Value, StringComparison.Ordinal))];

    /// <summary>Returns the configuration exactly as it will read back after a restart (durations in whole milliseconds).</summary>
    public static TopicConfig Normalize(TopicConfig config) => new(ToOverrides(config));

    /// <summary>Returns whether two configurations give partition logs different <see cref="LogOptions"/>.</summary>
    public static bool LogSettingsDiffer(TopicConfig a, TopicConfig b)
        => a.SegmentBytes != b.SegmentBytes || a.SegmentMs != b.SegmentMs || a.RetentionMs != b.RetentionMs
            || a.RetentionBytes != b.RetentionBytes || a.MaxMessageBytes != b.MaxMessageBytes
            || a.IndexIntervalBytes != b.IndexIntervalBytes || a.MessageTimestampType != b.MessageTimestampType
            || a.FlushMessages != b.FlushMessages || a.FlushMs != b.FlushMs
            || a.CleanupPolicy != b.CleanupPolicy || a.DeleteRetentionMs != b.DeleteRetentionMs
            || !a.MinCleanableDirtyRatio.Equals(b.MinCleanableDirtyRatio) || a.MinCompactionLagMs != b.MinCompactionLagMs;

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    // Kafka's settings are whole milliseconds; a finer TimeSpan is rounded up so that a positive value stays positive.
    private static string Ms(TimeSpan value) => Number((long)Math.Ceiling(value.TotalMilliseconds));
}
