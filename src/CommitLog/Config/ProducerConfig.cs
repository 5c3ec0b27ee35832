using CommitLog.Storage;

namespace CommitLog;

/// <summary>
/// Producer settings, with Kafka's keys and defaults. Build it from Kafka-style string settings
/// (<see cref="ProducerConfig(IEnumerable{KeyValuePair{string, string}})"/>) or with typed init properties; each
/// property's documentation names its Kafka key. Network-only keys (<c>bootstrap.servers</c>, <c>security.protocol</c>,
/// <c>sasl.*</c>, <c>ssl.*</c>, <c>socket.*</c> and the like) are accepted and ignored, and listed in <see cref="IgnoredKeys"/>.
/// </summary>
/// <remarks>
/// Single values are checked when set. Rules that combine settings (idempotence, delivery timeout) are checked by
/// <see cref="Validate"/>, which the string constructor calls and the producer calls when it is built.
/// </remarks>
public sealed class ProducerConfig
{
    private bool? _enableIdempotence;
    private TimeSpan? _deliveryTimeout;

    /// <summary>Creates a configuration with every default.</summary>
    public ProducerConfig()
    {
    }

    /// <summary>Creates a configuration from Kafka-style settings, e.g. <c>["acks"] = "all"</c>.</summary>
    /// <param name="settings">Key/value pairs; keys are case-sensitive, values are trimmed. A dictionary works too.</param>
    /// <exception cref="ArgumentNullException"><paramref name="settings"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A key is unknown (the message suggests the closest one), given twice or not supported
    /// yet; a value is malformed or out of range (the message names the key, the value and what is allowed); or the settings
    /// break a rule of <see cref="Validate"/>.</exception>
    public ProducerConfig(IEnumerable<KeyValuePair<string, string>> settings)
    {
        var ignored = new List<string>();
        foreach ((string key, string value) in ConfigParser.KnownEntries(settings, ConfigSchema.Producer, ignored))
        {
            switch (key)
            {
                case "acks":
                    Acks = ConfigParser.ParseChoice(
                        key, value, [("all", Acks.All), ("-1", Acks.All), ("1", Acks.Leader), ("0", Acks.None)]);
                    break;
                case "enable.idempotence": EnableIdempotence = ConfigParser.ParseBool(key, value); break;
                case "retries": Retries = ConfigParser.ParseInt32(key, value, 0, int.MaxValue); break;
                case "max.in.flight.requests.per.connection":
                    MaxInFlightRequestsPerConnection = ConfigParser.ParseInt32(key, value, 1, int.MaxValue);
                    break;
                case "batch.size": BatchSize = ConfigParser.ParseInt32(key, value, 0, int.MaxValue); break;
                case "linger.ms": LingerMs = ConfigParser.ParseMs(key, value, 0, int.MaxValue); break;
                case "compression.type": CompressionType = ParseCompression(key, value)!.Value; break;
                case "buffer.memory": BufferMemory = ConfigParser.ParseInt64(key, value, 0, long.MaxValue); break;
                case "max.block.ms": MaxBlockMs = ConfigParser.ParseMs(key, value, 0, int.MaxValue); break;
                case "delivery.timeout.ms": DeliveryTimeoutMs = ConfigParser.ParseMs(key, value, 0, int.MaxValue); break;
                case "request.timeout.ms": RequestTimeoutMs = ConfigParser.ParseMs(key, value, 0, int.MaxValue); break;
                case "partitioner": Partitioner = ConfigParser.ParseChoice(key, value, PartitionerChoices()); break;
                case "client.id": ClientId = value; break;
                default: throw new InvalidOperationException($"Unhandled producer key '{key}'.");
            }
        }

        IgnoredKeys = ignored;
        Validate();
    }

    /// <summary>Gets how many replicas must hold a record before it counts as delivered (<c>acks</c>: 0, 1, all or -1). Default
    /// <see cref="Acks.All"/>.</summary>
    public Acks Acks
    {
        get;
        init => field = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException("acks", value,
            "acks must be None (0), Leader (1) or All (-1).");
    } = Acks.All;

    /// <summary>
    /// Gets whether the producer is idempotent: retries never duplicate or reorder records (<c>enable.idempotence</c>).
    /// Default <see langword="true"/>. As in Kafka, when it is not set explicitly and <c>acks</c>, <c>retries</c> or
    /// <c>max.in.flight.requests.per.connection</c> conflict with it, it is off instead; when it is set to
    /// <see langword="true"/> explicitly, a conflict is an error (see <see cref="Validate"/>).
    /// </summary>
    public bool EnableIdempotence
    {
        get => _enableIdempotence ?? IdempotenceConflict() is null;
        init => _enableIdempotence = value;
    }

    /// <summary>Gets how often a failed send is retried before it fails (<c>retries</c>, 0 to Integer.MAX_VALUE). Default 2147483647;
    /// <see cref="DeliveryTimeoutMs"/> bounds the time.</summary>
    public int Retries
    {
        get;
        init => field = ConfigParser.CheckRange("retries", value, 0, int.MaxValue);
    } = int.MaxValue;

    /// <summary>Gets how many batches per partition may be in flight at once (<c>max.in.flight.requests.per.connection</c>, at least 1).
    /// Default 5.</summary>
    public int MaxInFlightRequestsPerConnection
    {
        get;
        init => field = ConfigParser.CheckRange("max.in.flight.requests.per.connection", value, 1, int.MaxValue);
    } = 5;

    /// <summary>Gets the target size of a partition's batch in bytes (<c>batch.size</c>, 0 disables batching); also the bytes a sticky
    /// partition receives before moving on. Default 16384.</summary>
    public int BatchSize
    {
        get;
        init => field = ConfigParser.CheckRange("batch.size", value, 0, int.MaxValue);
    } = Partitioners.DefaultStickyBatchSize;

    /// <summary>Gets how long a batch waits for more records before it is sent (<c>linger.ms</c>). Default 5 ms (Kafka 4.0's
    /// default).</summary>
    public TimeSpan LingerMs
    {
        get;
        init => field = ConfigParser.CheckMs("linger.ms", value, 0, int.MaxValue);
    } = TimeSpan.FromMilliseconds(5);

    /// <summary>Gets the codec batches are compressed with (<c>compression.type</c>: none, gzip, lz4; snappy and zstd are not supported
    /// yet). Default none.</summary>
    public CompressionType CompressionType
    {
        get;
        init => field = CheckCompression("compression.type", value);
    } = CompressionType.None;

    /// <summary>Gets the bytes of records the producer may hold before sends block (<c>buffer.memory</c>). Default 33554432 (32
    /// MiB).</summary>
    public long BufferMemory
    {
        get;
        init => field = ConfigParser.CheckRange("buffer.memory", value, 0, long.MaxValue);
    } = 32L << 20;

    /// <summary>Gets how long a send may wait for buffer space before it fails (<c>max.block.ms</c>). Default 60 s.</summary>
    public TimeSpan MaxBlockMs
    {
        get;
        init => field = ConfigParser.CheckMs("max.block.ms", value, 0, int.MaxValue);
    } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Gets the upper bound on reporting a send's success or failure, retries included (<c>delivery.timeout.ms</c>).
    /// Default 120 s, raised to <see cref="LingerMs"/> + <see cref="RequestTimeoutMs"/> when that is larger and the
    /// value was not set explicitly (as Kafka does); an explicit value below that sum is an error.
    /// </summary>
    public TimeSpan DeliveryTimeoutMs
    {
        get => _deliveryTimeout ?? Max(DefaultDeliveryTimeout, LingerMs + RequestTimeoutMs);
        init => _deliveryTimeout = ConfigParser.CheckMs("delivery.timeout.ms", value, 0, int.MaxValue);
    }

    /// <summary>Gets how long one append or replication round may take before it is retried (<c>request.timeout.ms</c>). Default 30
    /// s.</summary>
    public TimeSpan RequestTimeoutMs
    {
        get;
        init => field = ConfigParser.CheckMs("request.timeout.ms", value, 0, int.MaxValue);
    } = TimeSpan.FromSeconds(30);

    /// <summary>Gets the built-in partitioner (<c>partitioner</c>, librdkafka's names). Default
    /// <see cref="PartitionerKind.Murmur2Random"/>, which matches Kafka's Java producer.</summary>
    public PartitionerKind Partitioner
    {
        get;
        init => field = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException("partitioner", value,
            "Unknown partitioner kind.");
    } = PartitionerKind.Murmur2Random;

    /// <summary>Gets the name reported in logs and metrics (<c>client.id</c>). Default empty.</summary>
    public string ClientId
    {
        get;
        init => field = value ?? throw new ArgumentNullException("client.id");
    } = string.Empty;

    /// <summary>Gets the network-only keys that were given to the string constructor and ignored.</summary>
    public IReadOnlyList<string> IgnoredKeys { get; } = [];

    private static TimeSpan DefaultDeliveryTimeout => TimeSpan.FromMinutes(2);

    /// <summary>Checks the rules that combine settings, as Kafka's producer does when it starts.</summary>
    /// <exception cref="ArgumentException">
    /// <c>enable.idempotence=true</c> was set explicitly together with <c>acks</c> other than all, <c>retries=0</c> or
    /// <c>max.in.flight.requests.per.connection</c> above 5; or <c>delivery.timeout.ms</c> was set explicitly below
    /// <c>linger.ms + request.timeout.ms</c>.
    /// </exception>
    public void Validate()
    {
        if (_enableIdempotence == true && IdempotenceConflict() is { } conflict)
        {
            throw new ArgumentException(
                $"enable.idempotence=true requires {conflict}. Change that setting, or set enable.idempotence=false.",
                    "enable.idempotence");
        }

        if (_deliveryTimeout is { } delivery && delivery < LingerMs + RequestTimeoutMs)
        {
            throw new ArgumentException(
                $"delivery.timeout.ms ({delivery.TotalMilliseconds}) must be at least linger.ms + request.timeout.ms " +
                $"({LingerMs.TotalMilliseconds} + {RequestTimeoutMs.TotalMilliseconds}).", "delivery.timeout.ms");
        }
    }

    /// <summary>Parses <c>compression.type</c>; topics also accept <c>producer</c> (returned as <see langword="null"/>) and
    /// <c>uncompressed</c>.</summary>
    internal static CompressionType? ParseCompression(string key, string value, bool forTopic = false)
    {
        CompressionType? type = forTopic
            ? ConfigParser.ParseChoice<CompressionType?>(
                key,
                value,
                [("producer", null), ("uncompressed", CompressionType.None), ("none", CompressionType.None), ("gzip", CompressionType.Gzip),
                 ("lz4", CompressionType.Lz4), ("snappy", CompressionType.Snappy), ("zstd", CompressionType.Zstd)],
                documentedCount: 5)
            : ConfigParser.ParseChoice<CompressionType?>(
                key,
                value,
                [("none", CompressionType.None), ("gzip", CompressionType.Gzip), ("lz4", CompressionType.Lz4),
                 ("snappy", CompressionType.Snappy), ("zstd", CompressionType.Zstd)],
                documentedCount: 3);
        return type is { } codec ? CheckCompression(key, codec) : null;
    }

    internal static CompressionType CheckCompression(string key, CompressionType type) => type switch
    {
        CompressionType.None or CompressionType.Gzip or CompressionType.Lz4 => type,
        CompressionType.Snappy or CompressionType.Zstd => throw new ArgumentException(
            $"{key}={type.ToString().ToLowerInvariant()} is not supported yet; supported codecs are none, gzip and lz4.", key),
        _ => throw new ArgumentOutOfRangeException(key, type, $"Unknown {key}; supported codecs are none, gzip and lz4."),
    };

    private static (string, PartitionerKind)[] PartitionerChoices() =>
        [.. Enum.GetValues<PartitionerKind>().Select(k => (Partitioners.GetName(k), k))];

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private string? IdempotenceConflict() =>
        Acks != Acks.All ? $"acks=all (acks is {AcksName(Acks)})"
        : Retries == 0 ? "retries > 0 (retries is 0)"
        : MaxInFlightRequestsPerConnection > 5 ? $"max.in.flight.requests.per.connection <= 5 (it is {MaxInFlightRequestsPerConnection})"
        : null;

    private static string AcksName(Acks acks) => acks switch { Acks.None => "0", Acks.Leader => "1", _ => "all" };
}
