using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CommitLog;

/// <summary>
/// Builds an <see cref="IProducer{TKey, TValue}"/> for a <see cref="Broker"/>:
/// <c>new ProducerBuilder&lt;string, Order&gt;(broker, config).SetValueSerializer(...).Build()</c>.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <remarks>
/// Keys and values of type <see cref="string"/> (UTF-8), <see cref="byte"/>[], <see cref="ReadOnlyMemory{T}"/> of bytes,
/// <see cref="int"/>, <see cref="long"/> (big-endian) and <see cref="CommitLog.Null"/> have default serializers; any
/// other type needs one set explicitly.
/// </remarks>
public sealed class ProducerBuilder<TKey, TValue>
{
    private readonly Broker _broker;
    private readonly ProducerConfig _config;
    private ISerializer<TKey>? _keySerializer;
    private ISerializer<TValue>? _valueSerializer;
    private IPartitioner? _partitioner;
    private ILoggerFactory _loggerFactory = NullLoggerFactory.Instance;
    private TimeProvider? _timeProvider;
    private TimeSpan? _disposeTimeout;

    /// <summary>Starts a builder.</summary>
    /// <param name="broker">The broker to send to.</param>
    /// <param name="config">The settings; checked with <see cref="ProducerConfig.Validate"/> by <see cref="Build"/>.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public ProducerBuilder(Broker broker, ProducerConfig config)
    {
        ArgumentNullException.ThrowIfNull(broker);
        ArgumentNullException.ThrowIfNull(config);
        _broker = broker;
        _config = config;
    }

    /// <summary>Sets the key serializer (required unless <typeparamref name="TKey"/> has a default one).</summary>
    /// <param name="serializer">The serializer; thread-safe.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="serializer"/> is <see langword="null"/>.</exception>
    public ProducerBuilder<TKey, TValue> SetKeySerializer(ISerializer<TKey> serializer)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        _keySerializer = serializer;
        return this;
    }

    /// <summary>Sets the value serializer (required unless <typeparamref name="TValue"/> has a default one).</summary>
    /// <param name="serializer">The serializer; thread-safe.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="serializer"/> is <see langword="null"/>.</exception>
    public ProducerBuilder<TKey, TValue> SetValueSerializer(ISerializer<TValue> serializer)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        _valueSerializer = serializer;
        return this;
    }

    /// <summary>Sets the partitioner, replacing the one named by the <c>partitioner</c> setting.</summary>
    /// <param name="partitioner">The partitioner (see <see cref="Partitioners"/>); thread-safe.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="partitioner"/> is <see langword="null"/>.</exception>
    public ProducerBuilder<TKey, TValue> SetPartitioner(IPartitioner partitioner)
    {
        ArgumentNullException.ThrowIfNull(partitioner);
        _partitioner = partitioner;
        return this;
    }

    /// <summary>Sets the logger factory; the category is <c>CommitLog.Producer</c>. Default: no logging.</summary>
    /// <param name="loggerFactory">The factory.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="loggerFactory"/> is <see langword="null"/>.</exception>
    public ProducerBuilder<TKey, TValue> SetLogger(ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _loggerFactory = loggerFactory;
        return this;
    }

    /// <summary>Sets the clock for <c>linger.ms</c>, timeouts and timestamps. Default: the broker's
    /// (<see cref="BrokerOptions.TimeProvider"/>).</summary>
    /// <param name="timeProvider">The clock.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="timeProvider"/> is <see langword="null"/>.</exception>
    public ProducerBuilder<TKey, TValue> SetTimeProvider(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
        return this;
    }

    /// <summary>Sets how long <see cref="IAsyncDisposable.DisposeAsync"/> waits for buffered records to be sent before it
    /// fails the rest. Default <c>delivery.timeout.ms</c>.</summary>
    /// <param name="timeout">Zero or more.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative.</exception>
    public ProducerBuilder<TKey, TValue> SetDisposeTimeout(TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        _disposeTimeout = timeout;
        return this;
    }

    /// <summary>Checks the settings, allocates a producer id (when idempotent) and returns the producer.</summary>
    /// <returns>The producer; dispose it.</returns>
    /// <exception cref="ArgumentException">The settings break a rule of <see cref="ProducerConfig.Validate"/>.</exception>
    /// <exception cref="InvalidOperationException">No serializer was set for a key or value type without a default one.</exception>
    /// <exception cref="ObjectDisposedException">The broker is disposed.</exception>
    public IProducer<TKey, TValue> Build()
    {
        _config.Validate();
        ISerializer<TKey> keySerializer = _keySerializer ?? DefaultSerializers.Get<TKey>("key", nameof(SetKeySerializer));
        ISerializer<TValue> valueSerializer = _valueSerializer ?? DefaultSerializers.Get<TValue>("value", nameof(SetValueSerializer));
        IPartitioner partitioner = _partitioner ?? Partitioners.Create(
            _config.Partitioner, _config.BatchSize > 0 ? _config.BatchSize : Partitioners.DefaultStickyBatchSize);
        var settings = new ProducerSettings(
            _config, _timeProvider ?? _broker.Options.TimeProvider, _loggerFactory, _disposeTimeout ?? _config.DeliveryTimeoutMs);
        return new Producer<TKey, TValue>(_broker, settings, keySerializer, valueSerializer, partitioner);
    }
}
