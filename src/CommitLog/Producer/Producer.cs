using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using CommitLog.Storage;
using Microsoft.Extensions.Logging;

namespace CommitLog;

/// <summary>The producer: serializes, partitions and queues records; <see cref="PartitionSender{TKey, TValue}"/> sends them.</summary>
internal sealed partial class Producer<TKey, TValue> : IProducer<TKey, TValue>
{
    /// <summary>Bytes a record costs in a batch beyond its key, value and headers (length, attributes, deltas: at most 21).</summary>
    private const int RecordOverhead = 21;
    private static int s_instances;
    private readonly Broker _broker;
    private readonly ProducerConfig _config;
    private readonly ISerializer<TKey> _keySerializer;
    private readonly ISerializer<TValue> _valueSerializer;
    private readonly IPartitioner _partitioner;
    private readonly IPartitionerFeedback? _feedback;
    private readonly ProducerMemory _memory;
    private readonly ILogger _logger;
    private readonly TimeSpan _disposeTimeout;
    private readonly ConcurrentDictionary<TopicPartition, PartitionSender<TKey, TValue>> _senders = new();
    private readonly List<PartitionSender<TKey, TValue>> _allSenders = [];
    private readonly Lock _sendersGate = new();
    private readonly ConcurrentQueue<ProducerBatch<TKey, TValue>> _batchPool = new();
    private readonly int _maxPooledBatches;
    private readonly Lock _drainGate = new();
    private TaskCompletionSource? _drained;
    private long _pending;
    private int _pooledBatches;
    private int _epoch;
    private int _flushing;
    private int _closed;

    public Producer(Broker broker, ProducerSettings settings, ISerializer<TKey> keySerializer, ISerializer<TValue> valueSerializer, IPartitioner partitioner)
    {
        _broker = broker;
        _config = settings.Config;
        _keySerializer = keySerializer;
        _valueSerializer = valueSerializer;
        _partitioner = partitioner;
        _feedback = partitioner as IPartitionerFeedback;
        Time = settings.TimeProvider;
        _memory = new ProducerMemory(_config.BufferMemory, Time);
        _logger = settings.LoggerFactory.CreateLogger("CommitLog.Producer");
        _disposeTimeout = settings.DisposeTimeout;
        Linger = _config.LingerMs;
        // The pool keeps up to twice as many batches as buffer.memory fills with full ones (Kafka's buffer pool keeps
        // buffer.memory in batch.size buffers; the slack covers batches sealed by linger.ms before they are full): a
        // producer that keeps the buffer full reuses its batches and allocates none. A pooled batch keeps the buffers
        // of the largest batch it held, so what the pool retains follows what was in flight at the peak.
        _maxPooledBatches = (int)Math.Clamp(2 * _config.BufferMemory / Math.Max(_config.BatchSize, 1024), 64, 65_536);
        ProducerId = _config.EnableIdempotence ? broker.AllocateProducerId() : -1;
        int instance = Interlocked.Increment(ref s_instances);
        Name = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{(_config.ClientId.Length > 0 ? _config.ClientId : "commitlog")}#producer-{(ProducerId >= 0 ? ProducerId : instance)}");
        ProducerLogMessages.Started(_logger, Name, ProducerId, _config.Acks, ProducerId >= 0);
    }

    public string Name { get; }

    public string ClientId => _config.ClientId;

    /// <summary>Gets the producer id stamped in every batch, or -1 when not idempotent.</summary>
    internal long ProducerId { get; }

    internal TimeProvider Time { get; }

    /// <summary>Gets the producer epoch new batches are numbered in (0 until a batch failed for good).</summary>
    internal short Epoch => (short)Volatile.Read(ref _epoch);

    /// <summary>
    /// Moves the whole producer to the next epoch after a batch of <paramref name="failedEpoch"/> failed for good: whether
    /// it was written is unknown, so its partition's sequence state is unknown, and Kafka's producer (KIP-360) then
    /// bumps the epoch for every partition. Failures of several batches of the same epoch bump it once.
    /// </summary>
    internal void BumpEpoch(short failedEpoch, TopicPartition failedPartition)
    {
        if (failedEpoch < short.MaxValue && Interlocked.CompareExchange(ref _epoch, failedEpoch + 1, failedEpoch) == failedEpoch)
        {
            ProducerLogMessages.EpochBumped(_logger, Name, ProducerId, (short)(failedEpoch + 1), failedPartition);
        }
    }

    internal TimeSpan Linger { get; }

    internal int BatchSize => _config.BatchSize;

    internal bool IsFlushing => Volatile.Read(ref _flushing) > 0;

    /// <summary>Gets the bytes of <c>buffer.memory</c> in use (for tests).</summary>
    internal long BufferedBytes => _memory.Used;

    public ValueTask<DeliveryResult<TKey, TValue>> ProduceAsync(
        string topic, Message<TKey, TValue> message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return ProduceAsync(new TopicPartition(topic, Partition.Any), message, cancellationToken);
    }

    public ValueTask<DeliveryResult<TKey, TValue>> ProduceAsync(
        TopicPartition topicPartition, Message<TKey, TValue> message, CancellationToken cancellationToken = default)
    {
        ValueTask<Queued> queued = QueueAsync(topicPartition, message, cancellationToken);
        return queued.IsCompletedSuccessfully ? queued.Result.Delivery : WaitQueuedAsync(queued);

        static async ValueTask<DeliveryResult<TKey, TValue>> WaitQueuedAsync(ValueTask<Queued> queued)
            => await (await queued.ConfigureAwait(false)).Delivery.ConfigureAwait(false);
    }

    /// <summary>
    /// Queues one record, waiting for buffer space if needed (up to <c>max.block.ms</c>); completes once the record is
    /// queued, with the partition it went to and the task of its delivery. <paramref name="cancellationToken"/> cancels
    /// the wait for space and then the wait for the delivery (not the delivery itself).
    /// </summary>
    private ValueTask<Queued> QueueAsync(TopicPartition topicPartition, Message<TKey, TValue> message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(topicPartition.Topic, nameof(topicPartition));
        ThrowIfClosed();
        cancellationToken.ThrowIfCancellationRequested();
        Serialized record = Serialize(topicPartition.Topic, message);
        try
        {
            PartitionSender<TKey, TValue> sender = GetSender(topicPartition, record);
            if (!_memory.TryAcquire(record.Bytes))
            {
                CheckFits(record.Bytes);
                return QueueSlowAsync(sender, record.Detach(), message, cancellationToken);
            }

            ProducerMetrics.BufferChanged(record.Bytes);
            return new ValueTask<Queued>(new Queued(sender.TopicPartition, Enqueue(sender, record, message, cancellationToken)));
        }
        finally
        {
            record.ReturnHeaders();
        }
    }

    public void Produce(string topic, Message<TKey, TValue> message, Action<DeliveryReport<TKey, TValue>>? deliveryHandler = null)
    {
        ArgumentNullException.ThrowIfNull(topic);
        Produce(new TopicPartition(topic, Partition.Any), message, deliveryHandler);
    }

    public void Produce(TopicPartition topicPartition, Message<TKey, TValue> message, Action<DeliveryReport<TKey, TValue>>? deliveryHandler = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(topicPartition.Topic, nameof(topicPartition));
        ThrowIfClosed();
        Serialized record = Serialize(topicPartition.Topic, message);
        try
        {
            PartitionSender<TKey, TValue> sender = GetSender(topicPartition, record);
            Serialized owned = record;
            if (!_memory.TryAcquire(record.Bytes))
            {
                CheckFits(record.Bytes);
                owned = record.Detach();
#pragma warning disable CA2012 // The ValueTask is consumed once, here: Produce blocks the caller as Kafka's send() does.
                bool acquired = _memory.AcquireAsync(record.Bytes, _config.MaxBlockMs, CancellationToken.None).AsTask().GetAwaiter().GetResult();
#pragma warning restore CA2012
                ThrowIfClosed(acquired ? record.Bytes : 0);
                if (!acquired)
                {
                    throw new BufferExhaustedException(record.Bytes, _memory.Limit, _config.MaxBlockMs);
                }
            }

            ProducerMetrics.BufferChanged(record.Bytes);

            _ = EnqueueAcquired(sender, owned, message, deliveryHandler, null);
        }
        finally
        {
            record.ReturnHeaders();
        }
    }

    private async ValueTask<Queued> QueueSlowAsync(
        PartitionSender<TKey, TValue> sender, Serialized record, Message<TKey, TValue> message, CancellationToken cancellationToken)
    {
        if (!await _memory.AcquireAsync(record.Bytes, _config.MaxBlockMs, cancellationToken).ConfigureAwait(false))
        {
            throw new BufferExhaustedException(record.Bytes, _memory.Limit, _config.MaxBlockMs);
        }

        ProducerMetrics.BufferChanged(record.Bytes);
        ThrowIfClosed(record.Bytes);
        return new Queued(sender.TopicPartition, Enqueue(sender, record, message, cancellationToken));
    }

    private ValueTask<DeliveryResult<TKey, TValue>> Enqueue(
        PartitionSender<TKey, TValue> sender, in Serialized record, Message<TKey, TValue> message, CancellationToken cancellationToken)
    {
        if (_config.Acks == Acks.None)
        {
            EnqueueAcquired(sender, record, message, null, null);
            return new ValueTask<DeliveryResult<TKey, TValue>>(new DeliveryResult<TKey, TValue>
            {
                Topic = sender.TopicPartition.Topic,
                Partition = sender.TopicPartition.Partition,
                Offset = Offset.Unset,
                Timestamp = new Timestamp(record.TimestampMs),
                Durability = Durability.None,
                Message = message,
            });
        }

        var completion = DeliveryCompletion<TKey, TValue>.Rent(cancellationToken);
        try
        {
            EnqueueAcquired(sender, record, message, null, completion);
        }
        catch
        {
            completion.Discard();
            throw;
        }

        return completion.Task;
    }

    /// <summary>Adds a record whose buffer space is already held; reports it at once for <c>acks=0</c>.</summary>
    private bool EnqueueAcquired(
        PartitionSender<TKey, TValue> sender, in Serialized record, Message<TKey, TValue> message,
        Action<DeliveryReport<TKey, TValue>>? handler, DeliveryCompletion<TKey, TValue>? completion)
    {
        bool reportNow = _config.Acks == Acks.None;
        var pending = new PendingRecord<TKey, TValue>(message, record.TimestampMs, handler, completion, reportNow);
        Interlocked.Increment(ref _pending);
        try
        {
            sender.Append(pending, record.Key, record.Value, record.HeaderSpan, record.Bytes);
        }
        catch
        {
            _memory.Release(record.Bytes);
            ProducerMetrics.BufferChanged(-record.Bytes);
            OnRecordsDone(1);
            throw;
        }

        _feedback?.OnAppended(sender.TopicPartition.Topic, sender.TopicPartition.Partition.Value, record.Bytes);
        if (reportNow && handler is not null)
        {
            InvokeHandler(handler, new DeliveryReport<TKey, TValue>(
                sender.TopicPartition, Offset.Unset, new Timestamp(record.TimestampMs), Durability.None, message, null));
        }

        return true;
    }

    private Serialized Serialize(string topic, Message<TKey, TValue> message)
    {
        ReadOnlyMemory<byte>? key = null;
        ReadOnlyMemory<byte>? value = null;
        if (message.Key is { } k)
        {
            ArrayBufferWriter<byte> writer = SerializationBuffers.Key;
            _keySerializer.Serialize(k, writer, new SerializationContext(MessageComponentType.Key, topic, message.Headers));
            key = writer.WrittenMemory;
        }

        if (message.Value is { } v)
        {
            ArrayBufferWriter<byte> writer = SerializationBuffers.Value;
            _valueSerializer.Serialize(v, writer, new SerializationContext(MessageComponentType.Value, topic, message.Headers));
            value = writer.WrittenMemory;
        }

        long bytes = RecordOverhead + (key?.Length ?? 0) + (value?.Length ?? 0);
        RecordHeader[]? headers = null;
        int headerCount = message.Headers?.Count ?? 0;
        if (headerCount > 0)
        {
            headers = ArrayPool<RecordHeader>.Shared.Rent(headerCount);
            for (int i = 0; i < headerCount; i++)
            {
                Header header = message.Headers![i];
                headers[i] = new RecordHeader(header.Key, header.Value);
                bytes += 10 + Encoding.UTF8.GetByteCount(header.Key) + (header.Value?.Length ?? 0);
            }
        }

        long timestamp = message.Timestamp.IsAvailable ? message.Timestamp.UnixTimestampMs : Time.GetUtcNow().ToUnixTimeMilliseconds();
        return new Serialized(key, value, headers, headerCount, (int)Math.Min(bytes, int.MaxValue), timestamp);
    }

    private PartitionSender<TKey, TValue> GetSender(TopicPartition topicPartition, in Serialized record)
    {
        string topic = topicPartition.Topic;
        int count = _broker.GetPartitionCount(topic, _config.MaxBlockMs);
        int partition = topicPartition.Partition.Value;
        if (topicPartition.Partition == Partition.Any)
        {
            partition = _partitioner.Partition(topic, record.Key.GetValueOrDefault().Span, !record.Key.HasValue, count);
            if ((uint)partition >= (uint)count)
            {
                throw new InvalidOperationException(ExceptionMessages.PartitionOutOfRange(topic, partition, count));
            }
        }
        else if (partition < 0 || partition >= count)
        {
            throw new UnknownTopicOrPartitionException(topic, partition,
                $"Topic '{topic}' has no partition {partition}; its partitions are 0 to {count - 1}.");
        }

        return _senders.TryGetValue(new TopicPartition(topic, partition), out PartitionSender<TKey, TValue>? sender)
            ? sender
            : _senders.GetOrAdd(new TopicPartition(topic, partition), static (tp, self) => self.CreateSender(tp), this);
    }

    private PartitionSender<TKey, TValue> CreateSender(TopicPartition topicPartition)
    {
        CompressionType compression = _broker.GetTopicConfig(topicPartition.Topic).CompressionType ?? _config.CompressionType;
        lock (_sendersGate)
        {
            ThrowIfClosed();
            var sender = new PartitionSender<TKey, TValue>(this, topicPartition, compression);
            _allSenders.Add(sender);
            return sender;
        }
    }

    private void CheckFits(int bytes)
    {
        if (bytes > _memory.Limit)
        {
            throw new ArgumentException(
                $"The record is {bytes} bytes when serialized, larger than buffer.memory ({_memory.Limit} bytes); raise buffer.memory or send smaller records.",
                "message");
        }
    }

    private void ThrowIfClosed(int heldBytes = 0)
    {
        if (Volatile.Read(ref _closed) != 0)
        {
            if (heldBytes > 0)
            {
                _memory.Release(heldBytes);
                ProducerMetrics.BufferChanged(-heldBytes);
            }

            throw new ObjectDisposedException(Name, "The producer is disposed; create a new one to send more records.");
        }
    }
}
