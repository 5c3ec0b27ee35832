namespace CommitLog;

/// <summary>The user's rebalance handlers of a consumer (each may be <see langword="null"/>).</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
internal sealed record ConsumerHandlers<TKey, TValue>(
    Func<IConsumer<TKey, TValue>, IReadOnlyList<TopicPartition>, CancellationToken, ValueTask>? Assigned,
    Func<IConsumer<TKey, TValue>, IReadOnlyList<TopicPartition>, CancellationToken, ValueTask>? Revoked,
    Func<IConsumer<TKey, TValue>, IReadOnlyList<TopicPartition>, CancellationToken, ValueTask>? Lost);
