using CommitLog.Groups;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CommitLog;

/// <summary>
/// Builds an <see cref="IConsumer{TKey, TValue}"/> for a <see cref="Broker"/>:
/// <c>new ConsumerBuilder&lt;string, Order&gt;(broker, config).SetValueDeserializer(...).Build()</c>.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <remarks>
/// Keys and values of type <see cref="string"/> (UTF-8), <see cref="byte"/>[], <see cref="int"/>, <see cref="long"/>
/// (big-endian), <see cref="CommitLog.Null"/> and <see cref="CommitLog.Ignore"/> have default deserializers; any other
/// type needs one set explicitly.
/// </remarks>
public sealed class ConsumerBuilder<TKey, TValue>
{
    private readonly Broker _broker;
    private readonly ConsumerConfig _config;
    private IDeserializer<TKey?>? _keyDeserializer;
    private IDeserializer<TValue?>? _valueDeserializer;
    private ILoggerFactory _loggerFactory = NullLoggerFactory.Instance;
    private TimeProvider? _timeProvider;
    private Func<IConsumer<TKey, TValue>, IReadOnlyList<TopicPartition>, CancellationToken, ValueTask>? _assigned;
    private Func<IConsumer<TKey, TValue>, IReadOnlyList<TopicPartition>, CancellationToken, ValueTask>? _revoked;
    private Func<IConsumer<TKey, TValue>, IReadOnlyList<TopicPartition>, CancellationToken, ValueTask>? _lost;
    private IGroupOffsets? _groupOffsets;
    private Func<ConsumerConfig, ILogger, IGroupMembership>? _membershipFactory;

    /// <summary>Starts a builder.</summary>
    /// <param name="broker">The broker to read from.</param>
    /// <param name="config">The settings; checked with <see cref="ConsumerConfig.Validate"/> by <see cref="Build"/>.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public ConsumerBuilder(Broker broker, ConsumerConfig config)
    {
        ArgumentNullException.ThrowIfNull(broker);
        ArgumentNullException.ThrowIfNull(config);
        _broker = broker;
        _config = config;
    }

    /// <summary>Sets the key deserializer (required unless <typeparamref name="TKey"/> has a default one).</summary>
    /// <param name="deserializer">The deserializer (it may return <see langword="null"/>, e.g. for a null value); called on the consuming thread.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="deserializer"/> is <see langword="null"/>.</exception>
    public ConsumerBuilder<TKey, TValue> SetKeyDeserializer(IDeserializer<TKey?> deserializer)
    {
        ArgumentNullException.ThrowIfNull(deserializer);
        _keyDeserializer = deserializer;
        return this;
    }

    /// <summary>Sets the value deserializer (required unless <typeparamref name="TValue"/> has a default one).</summary>
    /// <param name="deserializer">The deserializer (it may return <see langword="null"/>, e.g. for a null value); called on the consuming thread.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="deserializer"/> is <see langword="null"/>.</exception>
    public ConsumerBuilder<TKey, TValue> SetValueDeserializer(IDeserializer<TValue?> deserializer)
    {
        ArgumentNullException.ThrowIfNull(deserializer);
        _valueDeserializer = deserializer;
        return this;
    }

    /// <summary>Sets the logger factory; the category is <c>CommitLog.Consumer</c>. Default: no logging.</summary>
    /// <param name="loggerFactory">The factory.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="loggerFactory"/> is <see langword="null"/>.</exception>
    public ConsumerBuilder<TKey, TValue> SetLogger(ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _loggerFactory = loggerFactory;
        return this;
    }

    /// <summary>Sets the clock for waits and <c>auto.commit.interval.ms</c>. Default: the broker's (<see cref="BrokerOptions.TimeProvider"/>).</summary>
    /// <param name="timeProvider">The clock.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="timeProvider"/> is <see langword="null"/>.</exception>
    public ConsumerBuilder<TKey, TValue> SetTimeProvider(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
        return this;
    }

    /// <summary>Sets the handler called, on the consuming thread, when the group assigns partitions (before records of them are returned).</summary>
    /// <param name="handler">Receives the consumer and the added partitions.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is <see langword="null"/>.</exception>
    public ConsumerBuilder<TKey, TValue> SetPartitionsAssignedHandler(
        Func<IConsumer<TKey, TValue>, IReadOnlyList<TopicPartition>, CancellationToken, ValueTask> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _assigned = handler;
        return this;
    }

    /// <summary>Sets a synchronous handler for assigned partitions; see the asynchronous overload.</summary>
    /// <param name="handler">Receives the consumer and the added partitions.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is <see langword="null"/>.</exception>
    public ConsumerBuilder<TKey, TValue> SetPartitionsAssignedHandler(Action<IConsumer<TKey, TValue>, IReadOnlyList<TopicPartition>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return SetPartitionsAssignedHandler(Sync(handler));
    }

    /// <summary>Sets the handler called, on the consuming thread, when the group revokes partitions in an orderly rebalance:
    /// their offsets can still be committed in it (with <c>enable.auto.commit</c>, stored offsets are committed right after it).</summary>
    /// <param name="handler">Receives the consumer and the revoked partitions.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is <see langword="null"/>.</exception>
    public ConsumerBuilder<TKey, TValue> SetPartitionsRevokedHandler(
        Func<IConsumer<TKey, TValue>, IReadOnlyList<TopicPartition>, CancellationToken, ValueTask> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _revoked = handler;
        return this;
    }

    /// <summary>Sets a synchronous handler for revoked partitions; see the asynchronous overload.</summary>
    /// <param name="handler">Receives the consumer and the revoked partitions.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is <see langword="null"/>.</exception>
    public ConsumerBuilder<TKey, TValue> SetPartitionsRevokedHandler(Action<IConsumer<TKey, TValue>, IReadOnlyList<TopicPartition>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return SetPartitionsRevokedHandler(Sync(handler));
    }

    /// <summary>Sets the handler called when partitions are lost without an orderly revoke (the consumer was removed from the
    /// group): their offsets can no longer be committed.</summary>
    /// <param name="handler">Receives the consumer and the lost partitions.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is <see langword="null"/>.</exception>
    public ConsumerBuilder<TKey, TValue> SetPartitionsLostHandler(
        Func<IConsumer<TKey, TValue>, IReadOnlyList<TopicPartition>, CancellationToken, ValueTask> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _lost = handler;
        return this;
    }

    /// <summary>Sets a synchronous handler for lost partitions; see the asynchronous overload.</summary>
    /// <param name="handler">Receives the consumer and the lost partitions.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is <see langword="null"/>.</exception>
    public ConsumerBuilder<TKey, TValue> SetPartitionsLostHandler(Action<IConsumer<TKey, TValue>, IReadOnlyList<TopicPartition>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return SetPartitionsLostHandler(Sync(handler));
    }

    /// <summary>Checks the settings and returns the consumer (nothing is assigned or subscribed yet).</summary>
    /// <returns>The consumer; dispose it.</returns>
    /// <exception cref="ArgumentException">The settings break a rule of <see cref="ConsumerConfig.Validate"/>.</exception>
    /// <exception cref="InvalidOperationException">No deserializer was set for a key or value type without a default one.</exception>
    public IConsumer<TKey, TValue> Build()
    {
        _config.Validate();
        IDeserializer<TKey?> keyDeserializer = _keyDeserializer ?? DefaultDeserializers.Get<TKey>("key", nameof(SetKeyDeserializer));
        IDeserializer<TValue?> valueDeserializer = _valueDeserializer ?? DefaultDeserializers.Get<TValue>("value", nameof(SetValueDeserializer));
        var settings = new ConsumerSettings(
            _config, _timeProvider ?? _broker.Options.TimeProvider, _loggerFactory, _groupOffsets ?? _broker.GroupOffsets,
            _membershipFactory ?? _broker.CreateGroupMembership, _config.SessionTimeoutMs);
        return new Consumer<TKey, TValue>(_broker, settings, keyDeserializer, valueDeserializer, new(_assigned, _revoked, _lost));
    }

    /// <summary>Replaces the broker's committed-offset store (tests).</summary>
    internal ConsumerBuilder<TKey, TValue> SetGroupOffsets(IGroupOffsets offsets)
    {
        _groupOffsets = offsets;
        return this;
    }

    /// <summary>Replaces how the group membership is created for <c>Subscribe</c> (tests).</summary>
    internal ConsumerBuilder<TKey, TValue> SetGroupMembershipFactory(Func<ConsumerConfig, ILogger, IGroupMembership> factory)
    {
        _membershipFactory = factory;
        return this;
    }

    private static Func<IConsumer<TKey, TValue>, IReadOnlyList<TopicPartition>, CancellationToken, ValueTask> Sync(
        Action<IConsumer<TKey, TValue>, IReadOnlyList<TopicPartition>> handler)
        => (consumer, partitions, _) =>
        {
            handler(consumer, partitions);
            return ValueTask.CompletedTask;
        };
}
