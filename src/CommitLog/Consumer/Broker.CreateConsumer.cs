
namespace CommitLog;

/// <content>Creating consumers.</content>
public sealed partial class Broker
{
    /// <summary>
    /// Creates a consumer for this broker; shorthand for <see cref="ConsumerBuilder{TKey, TValue}"/>.
    /// </summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="config">The settings (Kafka's consumer keys).</param>
    /// <param name="valueDeserializer">The value deserializer, or <see langword="null"/> for the default of <typeparamref name="TValue"/>.</param>
    /// <param name="keyDeserializer">The key deserializer, or <see langword="null"/> for the default of <typeparamref name="TKey"/>.</param>
    /// <returns>The consumer; dispose it before the broker.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="config"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The settings break a rule of <see cref="ConsumerConfig.Validate"/>.</exception>
    /// <exception cref="InvalidOperationException">A deserializer is missing for a type without a default one.</exception>
    public IConsumer<TKey, TValue> CreateConsumer<TKey, TValue>(
        ConsumerConfig config, IDeserializer<TValue?>? valueDeserializer = null, IDeserializer<TKey?>? keyDeserializer = null)
    {
        ThrowIfDisposed();
        var builder = new ConsumerBuilder<TKey, TValue>(this, config);
        if (keyDeserializer is not null)
        {
            builder.SetKeyDeserializer(keyDeserializer);
        }

        if (valueDeserializer is not null)
        {
            builder.SetValueDeserializer(valueDeserializer);
        }

        return builder.Build();
    }
}
