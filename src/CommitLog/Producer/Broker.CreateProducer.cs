namespace CommitLog;

/// <content>Creating producers.</content>
public sealed partial class Broker
{
    /// <summary>
    /// Creates a producer for this broker; shorthand for <see cref="ProducerBuilder{TKey, TValue}"/>.
    /// </summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="config">The settings (Kafka's producer keys).</param>
    /// <param name="keySerializer">The key serializer, or <see langword="null"/> for the default of <typeparamref name="TKey"/>.</param>
    /// <param name="valueSerializer">The value serializer, or <see langword="null"/> for the default of <typeparamref name="TValue"/>.</param>
    /// <returns>The producer; dispose it before the broker.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="config"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The settings break a rule of <see cref="ProducerConfig.Validate"/>.</exception>
    /// <exception cref="InvalidOperationException">A serializer is missing for a type without a default one.</exception>
    /// <exception cref="ObjectDisposedException">The broker is disposed.</exception>
    public IProducer<TKey, TValue> CreateProducer<TKey, TValue>(
        ProducerConfig config, ISerializer<TKey>? keySerializer = null, ISerializer<TValue>? valueSerializer = null)
    {
        var builder = new ProducerBuilder<TKey, TValue>(this, config);
        if (keySerializer is not null)
        {
            builder.SetKeySerializer(keySerializer);
        }

        if (valueSerializer is not null)
        {
            builder.SetValueSerializer(valueSerializer);
        }

        return builder.Build();
    }
}
