namespace CommitLog;

/// <summary>
/// Consumer settings, with Kafka's keys and defaults. Build it from Kafka-style string settings
/// (<see cref="ConsumerConfig(IEnumerable{KeyValuePair{string, string}})"/>) or with typed init properties; each
/// property's documentation names its Kafka key. Network-only keys are accepted, ignored and listed in <see cref="IgnoredKeys"/>.
/// </summary>
/// <remarks>Single values are checked when set; <see cref="Validate"/> checks the rules that combine settings.</remarks>
public sealed class ConsumerConfig
{
    /// <summary>Creates a configuration with every default.</summary>
    public ConsumerConfig()
    {
    }

    /// <summary>Creates a configuration from Kafka-style settings, e.g. <c>["group.id"] = "billing"</c>.</summary>
    /// <param name="settings">Key/value pairs; keys are case-sensitive, values are trimmed. A dictionary works too.</param>
    /// <exception cref="ArgumentNullException"><paramref name="settings"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A key is unknown (the message suggests the closest one), given twice or not supported
    /// yet; a value is malformed or out of range (the message names the key, the value and what is allowed); or the settings
    /// break a rule of <see cref="Validate"/>.</exception>
    public ConsumerConfig(IEnumerable<KeyValuePair<string, string>> settings)
    {
        var ignored = new List<string>();
        foreach ((string key, string value) in ConfigParser.KnownEntries(settings, ConfigSchema.Consumer, ignored))
        {
            switch (key)
            {
                case "group.id": GroupId = value; break;
                case "auto.offset.reset":
                    AutoOffsetReset = ConfigParser.ParseChoice(
                        key,
                        value,
                        [("earliest", AutoOffsetReset.Earliest), ("latest", AutoOffsetReset.Latest), ("error", AutoOffsetReset.Error),
                         ("none", AutoOffsetReset.Error)]);
                    break;
                case "enable.auto.commit": EnableAutoCommit = ConfigParser.ParseBool(key, value); break;
                case "auto.commit.interval.ms": AutoCommitIntervalMs = ConfigParser.ParseMs(key, value, 0, int.MaxValue); break;
                case "enable.auto.offset.store": EnableAutoOffsetStore = ConfigParser.ParseBool(key, value); break;
                case "max.poll.records": MaxPollRecords = ConfigParser.ParseInt32(key, value, 1, int.MaxValue); break;
                case "fetch.min.bytes": FetchMinBytes = ConfigParser.ParseInt32(key, value, 0, int.MaxValue); break;
                case "fetch.max.wait.ms": FetchMaxWaitMs = ConfigParser.ParseMs(key, value, 0, int.MaxValue); break;
                case "fetch.max.bytes": FetchMaxBytes = ConfigParser.ParseInt32(key, value, 1, int.MaxValue); break;
                case "max.partition.fetch.bytes": MaxPartitionFetchBytes = ConfigParser.ParseInt32(key, value, 1, int.MaxValue); break;
                case "session.timeout.ms": SessionTimeoutMs = ConfigParser.ParseMs(key, value, 1, MaxSessionTimeoutMs); break;
                case "heartbeat.interval.ms": HeartbeatIntervalMs = ConfigParser.ParseMs(key, value, 1, MaxSessionTimeoutMs); break;
                case "max.poll.interval.ms": MaxPollIntervalMs = ConfigParser.ParseMs(key, value, 1, int.MaxValue); break;
                case "partition.assignment.strategy": PartitionAssignmentStrategies = ParseStrategies(key, value); break;
                case "group.instance.id": GroupInstanceId = value; break;
                case "isolation.level":
                    IsolationLevel = ConfigParser.ParseChoice(
                        key,
                        value,
                        [("read_uncommitted", IsolationLevel.ReadUncommitted), ("read_committed", IsolationLevel.ReadCommitted)]);
                    break;
                case "enable.partition.eof": EnablePartitionEof = ConfigParser.ParseBool(key, value); break;
                case "client.id": ClientId = value; break;
                default: throw new InvalidOperationException($"Unhandled consumer key '{key}'.");
            }
        }

        IgnoredKeys = ignored;
        Validate();
    }

    /// <summary>Gets the consumer group (<c>group.id</c>), or <see langword="null"/> for a consumer that assigns partitions itself and
    /// cannot commit. Default none.</summary>
    public string? GroupId
    {
        get;
        init => field = value is null || value.Length > 0 ? value
            : throw new ArgumentException("group.id cannot be empty; leave it unset for no group.", "group.id");
    }

    /// <summary>Gets where to start without a committed offset (<c>auto.offset.reset</c>: earliest, latest, error; Kafka's <c>none</c>
    /// means error). Default latest.</summary>
    public AutoOffsetReset AutoOffsetReset
    {
        get;
        init => field = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException("auto.offset.reset", value,
            "Allowed: Earliest, Latest, Error.");
    } = AutoOffsetReset.Latest;

    /// <summary>Gets whether stored offsets are committed in the background (<c>enable.auto.commit</c>). Default
    /// <see langword="true"/>.</summary>
    public bool EnableAutoCommit { get; init; } = true;

    /// <summary>Gets how often offsets are committed in the background (<c>auto.commit.interval.ms</c>). Default 5 s.</summary>
    public TimeSpan AutoCommitIntervalMs
    {
        get;
        init => field = ConfigParser.CheckMs("auto.commit.interval.ms", value, 0, int.MaxValue);
    } = TimeSpan.FromSeconds(5);

    /// <summary>Gets whether each consumed record's offset is stored for the next commit automatically (<c>enable.auto.offset.store</c>,
    /// librdkafka). Default <see langword="true"/>.</summary>
    public bool EnableAutoOffsetStore { get; init; } = true;

    /// <summary>Gets the most records one poll returns (<c>max.poll.records</c>, at least 1). Default 500.</summary>
    public int MaxPollRecords
    {
        get;
        init => field = ConfigParser.CheckRange("max.poll.records", value, 1, int.MaxValue);
    } = 500;

    /// <summary>Gets the bytes a fetch waits for before it returns (<c>fetch.min.bytes</c>). Default 1.</summary>
    public int FetchMinBytes
    {
        get;
        init => field = ConfigParser.CheckRange("fetch.min.bytes", value, 0, int.MaxValue);
    } = 1;

    /// <summary>Gets how long a fetch waits for <see cref="FetchMinBytes"/> (<c>fetch.max.wait.ms</c>). Default 500 ms.</summary>
    public TimeSpan FetchMaxWaitMs
    {
        get;
        init => field = ConfigParser.CheckMs("fetch.max.wait.ms", value, 0, int.MaxValue);
    } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets the most bytes one fetch returns over all partitions (<c>fetch.max.bytes</c>). Default 52428800 (50 MiB).</summary>
    public int FetchMaxBytes
    {
        get;
        init => field = ConfigParser.CheckRange("fetch.max.bytes", value, 1, int.MaxValue);
    } = 50 << 20;

    /// <summary>Gets the most bytes one fetch returns per partition (<c>max.partition.fetch.bytes</c>). Default 1048576 (1 MiB).</summary>
    public int MaxPartitionFetchBytes
    {
        get;
        init => field = ConfigParser.CheckRange("max.partition.fetch.bytes", value, 1, int.MaxValue);
    } = 1 << 20;

    /// <summary>Gets how long the group waits for a silent member's heartbeat before removing it (<c>session.timeout.ms</c>, 1 to 3600000).
    /// Default 45 s.</summary>
    public TimeSpan SessionTimeoutMs
    {
        get;
        init => field = ConfigParser.CheckMs("session.timeout.ms", value, 1, MaxSessionTimeoutMs);
    } = TimeSpan.FromSeconds(45);

    /// <summary>Gets how often a member sends heartbeats (<c>heartbeat.interval.ms</c>); must be below <see cref="SessionTimeoutMs"/>.
    /// Default 3 s.</summary>
    public TimeSpan HeartbeatIntervalMs
    {
        get;
        init => field = ConfigParser.CheckMs("heartbeat.interval.ms", value, 1, MaxSessionTimeoutMs);
    } = TimeSpan.FromSeconds(3);

    /// <summary>Gets the longest time between polls before the member leaves the group (<c>max.poll.interval.ms</c>). Default 300
    /// s.</summary>
    public TimeSpan MaxPollIntervalMs
    {
        get;
        init => field = ConfigParser.CheckMs("max.poll.interval.ms", value, 1, int.MaxValue);
    } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Gets the preferred way partitions are shared in the group: the first of <see cref="PartitionAssignmentStrategies"/>.
    /// Setting it makes it the only strategy. Default range.
    /// </summary>
    public PartitionAssignmentStrategy PartitionAssignmentStrategy
    {
        get => PartitionAssignmentStrategies[0];
        init => PartitionAssignmentStrategies = [value];
    }

    /// <summary>
    /// Gets the strategies this consumer supports, most preferred first (<c>partition.assignment.strategy</c>, a
    /// comma-separated list: range, roundrobin, cooperative-sticky). The group uses one strategy every member supports,
    /// chosen by the members' preferences as in Kafka; the rebalance protocol is cooperative (KIP-429) only when every
    /// listed strategy is cooperative, so a group can move from range to cooperative-sticky by rolling restarts:
    /// first <c>range,cooperative-sticky</c>, then <c>cooperative-sticky</c>. Default Kafka's:
    /// <c>range, cooperative-sticky</c>.
    /// </summary>
    public IReadOnlyList<PartitionAssignmentStrategy> PartitionAssignmentStrategies
    {
        get;
        init
        {
            ArgumentNullException.ThrowIfNull(value, "partition.assignment.strategy");
            if (value.Count == 0)
            {
                throw new ArgumentException("partition.assignment.strategy needs at least one strategy. " + StrategiesAllowed, "partition.assignment.strategy");
            }

            foreach (PartitionAssignmentStrategy strategy in value)
            {
                if (!Enum.IsDefined(strategy))
                {
                    throw new ArgumentOutOfRangeException("partition.assignment.strategy", strategy, "Allowed: Range, RoundRobin, CooperativeSticky.");
                }
            }

            if (value.Distinct().Count() != value.Count)
            {
                throw new ArgumentException(
                    $"partition.assignment.strategy lists a strategy twice ({string.Join(", ", value)}); list each once.", "partition.assignment.strategy");
            }

            field = [.. value];
        }
    } = [PartitionAssignmentStrategy.Range, PartitionAssignmentStrategy.CooperativeSticky];

    /// <summary>
    /// Gets the static member id (<c>group.instance.id</c>, KIP-345): a member that restarts with the same id gets its
    /// partitions back without a rebalance. Same character rules as topic names. Default none.
    /// </summary>
    public string? GroupInstanceId
    {
        get;
        init => field = value is null || TopicName.Check(value, "group.instance.id") is not { } error ? value
            : throw new ArgumentException(error, "group.instance.id");
    }

    /// <summary>Gets which transactional records are visible (<c>isolation.level</c>: read_uncommitted, read_committed). Default
    /// read_uncommitted.</summary>
    public IsolationLevel IsolationLevel
    {
        get;
        init => field = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException("isolation.level", value,
            "Allowed: ReadUncommitted, ReadCommitted.");
    } = IsolationLevel.ReadUncommitted;

    /// <summary>Gets whether the consumer reports reaching the end of a partition (<c>enable.partition.eof</c>, librdkafka). Default
    /// <see langword="false"/>.</summary>
    public bool EnablePartitionEof { get; init; }

    /// <summary>Gets the name reported in logs, metrics and group descriptions (<c>client.id</c>). Default empty.</summary>
    public string ClientId
    {
        get;
        init => field = value ?? throw new ArgumentNullException("client.id");
    } = string.Empty;

    /// <summary>Gets the network-only keys that were given to the string constructor and ignored.</summary>
    public IReadOnlyList<string> IgnoredKeys { get; } = [];

    private static long MaxSessionTimeoutMs => 3_600_000;

    /// <summary>Checks the rules that combine settings.</summary>
    /// <exception cref="ArgumentException"><c>heartbeat.interval.ms</c> is not below <c>session.timeout.ms</c>.</exception>
    public void Validate()
    {
        if (HeartbeatIntervalMs >= SessionTimeoutMs)
        {
            throw new ArgumentException(
                $"heartbeat.interval.ms ({HeartbeatIntervalMs.TotalMilliseconds}) must be lower than session.timeout.ms " +
                $"({SessionTimeoutMs.TotalMilliseconds}); Kafka recommends at most a third of it.", "heartbeat.interval.ms");
        }
    }

    private static string StrategiesAllowed => "Allowed values are range, roundrobin, cooperative-sticky, or a comma-separated list of them.";

    private static PartitionAssignmentStrategy[] ParseStrategies(string key, string value)
    {
        var strategies = new List<PartitionAssignmentStrategy>();
        foreach (string name in value.Split(',', StringSplitOptions.TrimEntries))
        {
            if (name.Length == 0)
            {
                throw new ArgumentException($"Invalid value '{value}' for '{key}': an empty entry in the list. {StrategiesAllowed}", key);
            }

            PartitionAssignmentStrategy strategy;
            try
            {
                strategy = ParseStrategy(key, name);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Invalid value '{value}' for '{key}': '{name}' is not a strategy. {StrategiesAllowed}", key, e);
            }

            if (strategies.Contains(strategy))
            {
                throw new ArgumentException($"Invalid value '{value}' for '{key}': '{name}' is listed twice; list each strategy once.", key);
            }

            strategies.Add(strategy);
        }

        return [.. strategies];
    }

    private static PartitionAssignmentStrategy ParseStrategy(string key, string value)
        => ConfigParser.ParseChoice(
            key,
            value,
            [("range", PartitionAssignmentStrategy.Range), ("roundrobin", PartitionAssignmentStrategy.RoundRobin),
             ("cooperative-sticky", PartitionAssignmentStrategy.CooperativeSticky),
             ("org.apache.kafka.clients.consumer.RangeAssignor", PartitionAssignmentStrategy.Range),
             ("org.apache.kafka.clients.consumer.RoundRobinAssignor", PartitionAssignmentStrategy.RoundRobin),
             ("org.apache.kafka.clients.consumer.CooperativeStickyAssignor", PartitionAssignmentStrategy.CooperativeSticky)],
            documentedCount: 3);
}
