using System.Collections.Frozen;

namespace CommitLog;

/// <summary>The keys one kind of configuration accepts, for <see cref="ConfigParser"/>.</summary>
internal sealed class ConfigSchema
{
    public static readonly ConfigSchema Producer = new(
        "producer",
        [
            "acks", "enable.idempotence", "retries", "max.in.flight.requests.per.connection", "batch.size", "linger.ms",
            "compression.type", "buffer.memory", "max.block.ms", "delivery.timeout.ms", "request.timeout.ms", "partitioner", "client.id",
        ],
        new Dictionary<string, string>
        {
            ["transactional.id"] = "transactions are not implemented; remove the setting.",
            ["transaction.timeout.ms"] = "transactions are not implemented; remove the setting.",
        },
        acceptsNetworkKeys: true);

    public static readonly ConfigSchema Consumer = new(
        "consumer",
        [
            "group.id", "auto.offset.reset", "enable.auto.commit", "auto.commit.interval.ms", "enable.auto.offset.store",
            "max.poll.records", "fetch.min.bytes", "fetch.max.wait.ms", "fetch.max.bytes", "max.partition.fetch.bytes",
            "session.timeout.ms", "heartbeat.interval.ms", "max.poll.interval.ms", "partition.assignment.strategy",
            "group.instance.id", "isolation.level", "enable.partition.eof", "client.id",
        ],
        new Dictionary<string, string>
        {
            ["group.protocol"] = "only the classic group protocol is implemented; remove the setting.",
        },
        acceptsNetworkKeys: true);

    public static readonly ConfigSchema Topic = new(
        "topic",
        [
            "cleanup.policy", "compression.type", "retention.ms", "retention.bytes", "segment.bytes", "segment.ms",
            "max.message.bytes", "index.interval.bytes", "message.timestamp.type", "min.insync.replicas", "replication.factor",
            "flush.messages", "flush.ms", "delete.retention.ms", "min.cleanable.dirty.ratio", "min.compaction.lag.ms",
        ],
        new Dictionary<string, string>(),
        acceptsNetworkKeys: false);

    private ConfigSchema(string name, string[] keys, Dictionary<string, string> notSupported, bool acceptsNetworkKeys)
    {
        Name = name;
        Keys = keys.ToFrozenSet(StringComparer.Ordinal);
        NotSupported = notSupported.ToFrozenDictionary(StringComparer.Ordinal);
        AcceptsNetworkKeys = acceptsNetworkKeys;
    }

    public static IEnumerable<ConfigSchema> All => [Producer, Consumer, Topic];

    /// <summary>Gets the name used in messages: producer, consumer or topic.</summary>
    public string Name { get; }

    /// <summary>Gets the keys this configuration parses.</summary>
    public FrozenSet<string> Keys { get; }

    /// <summary>Gets Kafka keys that are refused with a reason rather than ignored (they would change behaviour).</summary>
    public FrozenDictionary<string, string> NotSupported { get; }

    /// <summary>Gets a value indicating whether network-only client keys are accepted and ignored.</summary>
    public bool AcceptsNetworkKeys { get; }
}
