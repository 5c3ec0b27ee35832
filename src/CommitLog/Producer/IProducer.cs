namespace CommitLog;

/// <summary>
/// Sends records to the topics of a <see cref="Broker"/>. Records are batched per partition (<c>batch.size</c>,
/// <c>linger.ms</c>), appended in order per partition, and reported once the log acknowledged them (<c>acks</c>).
/// Create one with <see cref="ProducerBuilder{TKey, TValue}"/> or <see cref="Broker.CreateProducer{TKey, TValue}"/>.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <remarks>
/// Thread-safety: every member may be called concurrently. Records produced by one thread to one partition are stored
/// in the order they were produced. Dispose the producer to send what is still buffered (bounded by a timeout).
/// </remarks>
public interface IProducer<TKey, TValue> : IAsyncDisposable
{
    /// <summary>Gets the producer's name: its <c>client.id</c> and producer id, e.g. <c>orders#producer-3</c>.</summary>
    string Name { get; }

    /// <summary>Gets the configured <c>client.id</c> (may be empty).</summary>
    string ClientId { get; }

    /// <summary>
    /// Sends a record to a topic; the partitioner chooses the partition from the serialized key. Completes when the record
    /// is acknowledged as <c>acks</c> requires (for <c>acks=0</c>, as soon as it is queued).
    /// </summary>
    /// <param name="topic">The topic.</param>
    /// <param name="message">The record.</param>
    /// <param name="cancellationToken">Cancels the wait: for buffer space (the record is not sent), or once the record is
    /// queued, for its delivery (the task ends canceled; the record cannot be taken back and may still be delivered).</param>
    /// <returns>Where the record was stored and how durable it was.</returns>
    /// <exception cref="UnknownTopicOrPartitionException">The topic does not exist.</exception>
    /// <exception cref="BufferExhaustedException">No buffer space became free within <c>max.block.ms</c>.</exception>
    /// <exception cref="DeliveryTimeoutException">The record was not acknowledged within <c>delivery.timeout.ms</c>.</exception>
    /// <exception cref="Storage.CommitLogException">The log refused the record (the exception says why).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled before the outcome.</exception>
    /// <exception cref="ObjectDisposedException">The producer is disposed.</exception>
    ValueTask<DeliveryResult<TKey, TValue>> ProduceAsync(
        string topic, Message<TKey, TValue> message, CancellationToken cancellationToken = default);

    /// <summary>Sends a record to an explicit partition (or to <see cref="Partition.Any"/>: the partitioner chooses).</summary>
    /// <param name="topicPartition">The topic and partition.</param>
    /// <param name="message">The record.</param>
    /// <param name="cancellationToken">Cancels the wait: for buffer space (the record is not sent), or once the record is
    /// queued, for its delivery (the task ends canceled; the record cannot be taken back and may still be delivered).</param>
    /// <returns>Where the record was stored and how durable it was.</returns>
    /// <exception cref="UnknownTopicOrPartitionException">The topic or partition does not exist.</exception>
    /// <exception cref="BufferExhaustedException">No buffer space became free within <c>max.block.ms</c>.</exception>
    /// <exception cref="DeliveryTimeoutException">The record was not acknowledged within <c>delivery.timeout.ms</c>.</exception>
    /// <exception cref="Storage.CommitLogException">The log refused the record.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled before the outcome.</exception>
    /// <exception cref="ObjectDisposedException">The producer is disposed.</exception>
    ValueTask<DeliveryResult<TKey, TValue>> ProduceAsync(
        TopicPartition topicPartition, Message<TKey, TValue> message, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends many records and completes when every one was reported. Each record is partitioned as
    /// <see cref="ProduceAsync(string, Message{TKey, TValue}, CancellationToken)"/> does, and the records of one
    /// partition are stored in the order of <paramref name="messages"/>.
    /// </summary>
    /// <param name="topic">The topic.</param>
    /// <param name="messages">The records, enumerated once, before any is sent.</param>
    /// <param name="cancellationToken">Cancels the waits (for buffer space, then for the deliveries); records already
    /// queued may still be delivered.</param>
    /// <returns>One result per record, in the order of <paramref name="messages"/>.</returns>
    /// <remarks>When the first record cannot be queued (unknown topic, serializer failure, no buffer space within
    /// <c>max.block.ms</c>), its exception is thrown as is and nothing was sent. When a later record cannot be queued,
    /// the records before it are still delivered, the ones after it are not sent, and a
    /// <see cref="ProduceBatchException{TKey, TValue}"/> reports each.</remarks>
    /// <exception cref="ProduceBatchException{TKey, TValue}">At least one record was not delivered; its
    /// <see cref="ProduceBatchException{TKey, TValue}.Results"/> hold every record's outcome.</exception>
    /// <exception cref="ArgumentException">A message is <see langword="null"/>.</exception>
    /// <exception cref="UnknownTopicOrPartitionException">The topic does not exist (nothing was sent).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    /// <exception cref="ObjectDisposedException">The producer is disposed.</exception>
    ValueTask<IReadOnlyList<DeliveryResult<TKey, TValue>>> ProduceBatchAsync(
        string topic, IEnumerable<Message<TKey, TValue>> messages, CancellationToken cancellationToken = default);

    /// <summary>Sends many records to an explicit partition (or to <see cref="Partition.Any"/>: the partitioner
    /// chooses for each); see <see cref="ProduceBatchAsync(string, IEnumerable{Message{TKey, TValue}}, CancellationToken)"/>.</summary>
    /// <param name="topicPartition">The topic and partition.</param>
    /// <param name="messages">The records, enumerated once, before any is sent.</param>
    /// <param name="cancellationToken">Cancels the waits; records already queued may still be delivered.</param>
    /// <returns>One result per record, in the order of <paramref name="messages"/>.</returns>
    /// <exception cref="ProduceBatchException{TKey, TValue}">At least one record was not delivered.</exception>
    /// <exception cref="ArgumentException">A message is <see langword="null"/>.</exception>
    /// <exception cref="UnknownTopicOrPartitionException">The topic or partition does not exist (nothing was sent).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    /// <exception cref="ObjectDisposedException">The producer is disposed.</exception>
    ValueTask<IReadOnlyList<DeliveryResult<TKey, TValue>>> ProduceBatchAsync(
        TopicPartition topicPartition, IEnumerable<Message<TKey, TValue>> messages, CancellationToken cancellationToken = default);

    /// <summary>
    /// Queues a record without waiting for it (fire-and-forget). <paramref name="deliveryHandler"/>, if given, is called
    /// once with the outcome, on a producer thread: keep it short and do not block in it. When the buffer is full, this
    /// blocks the calling thread up to <c>max.block.ms</c>, as Kafka's <c>send()</c> does.
    /// </summary>
    /// <param name="topic">The topic.</param>
    /// <param name="message">The record.</param>
    /// <param name="deliveryHandler">Called with the outcome, or <see langword="null"/>.</param>
    /// <exception cref="UnknownTopicOrPartitionException">The topic does not exist.</exception>
    /// <exception cref="BufferExhaustedException">No buffer space became free within <c>max.block.ms</c>.</exception>
    /// <exception cref="ObjectDisposedException">The producer is disposed.</exception>
    void Produce(string topic, Message<TKey, TValue> message, Action<DeliveryReport<TKey, TValue>>? deliveryHandler = null);

    /// <summary>Queues a record for an explicit partition without waiting for it; see
    /// <see cref="Produce(string, Message{TKey, TValue}, Action{DeliveryReport{TKey, TValue}}?)"/>.</summary>
    /// <param name="topicPartition">The topic and partition (or <see cref="Partition.Any"/>).</param>
    /// <param name="message">The record.</param>
    /// <param name="deliveryHandler">Called with the outcome, or <see langword="null"/>.</param>
    /// <exception cref="UnknownTopicOrPartitionException">The topic or partition does not exist.</exception>
    /// <exception cref="BufferExhaustedException">No buffer space became free within <c>max.block.ms</c>.</exception>
    /// <exception cref="ObjectDisposedException">The producer is disposed.</exception>
    void Produce(TopicPartition topicPartition, Message<TKey, TValue> message, Action<DeliveryReport<TKey, TValue>>? deliveryHandler = null);

    /// <summary>Sends every buffered record now (ignoring <c>linger.ms</c>) and waits until all are reported, up to
    /// <paramref name="timeout"/>.</summary>
    /// <param name="timeout">The longest time to wait.</param>
    /// <returns>The number of records still not reported (0 when everything was delivered or failed).</returns>
    int Flush(TimeSpan timeout);

    /// <summary>Sends every buffered record now (ignoring <c>linger.ms</c>) and waits until all are reported.</summary>
    /// <param name="cancellationToken">Stops waiting (the records are still sent).</param>
    /// <returns>A task that completes when every record queued before the call was reported.</returns>
    ValueTask FlushAsync(CancellationToken cancellationToken = default);
}
