using System.Buffers;
using System.Runtime.CompilerServices;
using CommitLog.Storage;

namespace CommitLog;

/// <content>Consume: take the next record of any partition with data, or wait on the shared signal.</content>
internal sealed partial class Consumer<TKey, TValue>
{
    private static readonly TimeSpan Infinite = Timeout.InfiniteTimeSpan;

    public ConsumeResult<TKey, TValue>? Consume(TimeSpan timeout)
    {
        if (timeout < TimeSpan.Zero && timeout != Infinite)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be zero or more (or Timeout.InfiniteTimeSpan).");
        }

        ValueTask<ConsumeResult<TKey, TValue>?> pending = ConsumeCoreAsync(timeout, CancellationToken.None);
        return pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
    }

    public ConsumeResult<TKey, TValue> Consume(CancellationToken cancellationToken = default)
    {
        ValueTask<ConsumeResult<TKey, TValue>?> pending = ConsumeCoreAsync(Infinite, cancellationToken);
        return (pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult())!;
    }

    public async IAsyncEnumerable<ConsumeResult<TKey, TValue>> ConsumeAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            yield return (await ConsumeCoreAsync(Infinite, cancellationToken).ConfigureAwait(false))!;
        }
    }

    public async ValueTask<IReadOnlyList<ConsumeResult<TKey, TValue>>> ConsumeBatchAsync(TimeSpan maxWait, CancellationToken cancellationToken = default)
    {
        if (maxWait < TimeSpan.Zero && maxWait != Infinite)
        {
            throw new ArgumentOutOfRangeException(nameof(maxWait), maxWait, "The wait must be zero or more (or Timeout.InfiniteTimeSpan).");
        }

        ConsumeResult<TKey, TValue>? first = await ConsumeCoreAsync(maxWait, cancellationToken).ConfigureAwait(false);
        if (first is null)
        {
            return [];
        }

        var batch = new List<ConsumeResult<TKey, TValue>>(Math.Min(_config.MaxPollRecords, 1024)) { first };
        while (batch.Count < _config.MaxPollRecords && TryTake() is { } next)
        {
            batch.Add(next);
        }

        return batch;
    }

    /// <summary>Returns the next record, waiting up to <paramref name="timeout"/>; completes synchronously when one is fetched.</summary>
    private async ValueTask<ConsumeResult<TKey, TValue>?> ConsumeCoreAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        long start = _time.GetTimestamp();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ThrowIfClosed();
            if (_subscribed && _membership is { } membership)
            {
                await membership.PollAsync(this, cancellationToken).ConfigureAwait(false);
            }

            if (TryTake() is { } result)
            {
                return result;
            }

            // Take the signal before looking again, so a chunk queued between the look and the wait is never missed.
            Task arrived = _signal.WaitTask();
            if (TryTake() is { } raced)
            {
                return raced;
            }

            TimeSpan remaining = timeout == Infinite ? Infinite : timeout - _time.GetElapsedTime(start);
            if (timeout != Infinite && remaining <= TimeSpan.Zero)
            {
                return null;
            }

            try
            {
                await arrived.WaitAsync(remaining, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return TryTake();
            }
        }
    }

    /// <summary>Takes the next record (round-robin over the partitions with data), or null if none is fetched.</summary>
    private ConsumeResult<TKey, TValue>? TryTake()
    {
        lock (_gate)
        {
            PartitionFetcher? fetcher = NextLocked(out ReadStep step, out Record record);
            return fetcher is null ? null : step == ReadStep.Record ? ToResult(fetcher, record) : EndOfPartition(fetcher);
        }
    }

    /// <summary>Finds the next record or notice; the record points into pooled memory valid until the lock is released.</summary>
    private PartitionFetcher? NextLocked(out ReadStep step, out Record record)
    {
        ThrowIfClosed();
        int count = _order.Count;
        if (count == 0 && !_subscribed)
        {
            throw new InvalidOperationException(
                $"Consumer {Name} has nothing to consume: call Subscribe (with a group.id) or Assign before consuming.");
        }

        for (int i = 0; i < count; i++)
        {
            int index = (_cursor + i) % count;
            PartitionFetcher fetcher = _order[index];
            if (fetcher.Paused)
            {
                continue;
            }

            step = fetcher.Next(out record);
            if (step != ReadStep.None)
            {
                _cursor = (index + 1) % count;
                return fetcher;
            }
        }

        step = ReadStep.None;
        record = default;
        return null;
    }

    private ConsumeResult<TKey, TValue> EndOfPartition(PartitionFetcher fetcher) => new()
    {
        Topic = fetcher.TopicPartition.Topic,
        Partition = fetcher.TopicPartition.Partition,
        Offset = fetcher.Position,
        IsPartitionEOF = true,
        Message = new Message<TKey, TValue>(),
    };

    /// <summary>Deserializes a record into objects of its own: nothing returned points into the pooled fetch buffer.</summary>
    private ConsumeResult<TKey, TValue> ToResult(PartitionFetcher fetcher, in Record record)
    {
        ConsumedRecord<TKey, TValue> decoded = Decode(fetcher, record);
        return new ConsumeResult<TKey, TValue>
        {
            Topic = decoded.TopicPartition.Topic,
            Partition = decoded.TopicPartition.Partition,
            Offset = decoded.Offset,
            LeaderEpoch = decoded.LeaderEpoch,
            Message = new Message<TKey, TValue> { Key = decoded.Key, Value = decoded.Value, Headers = decoded.Headers, Timestamp = decoded.Timestamp },
        };
    }

    private ConsumedRecord<TKey, TValue> Decode(PartitionFetcher fetcher, in Record record)
    {
        TopicPartition tp = fetcher.TopicPartition;
        RecordBatchHeader header = fetcher.BatchHeader;
        Headers? headers = record.Headers.Count == 0 ? null : CopyHeaders(record.Headers);
        TKey? key;
        TValue? value;
        try
        {
            key = Deserialize(_keyDeserializer, record.Key, new SerializationContext(MessageComponentType.Key, tp.Topic, headers));
            value = Deserialize(_valueDeserializer, record.Value, new SerializationContext(MessageComponentType.Value, tp.Topic, headers));
        }
#pragma warning disable CA1031 // A deserializer may throw anything; the user gets it as a ConsumeException naming the record.
        catch (Exception e)
#pragma warning restore CA1031
        {
            throw new ConsumeException(ErrorCode.InvalidRecord, new TopicPartitionOffset(tp, record.Offset),
                $"Deserializing the record at offset {record.Offset} of {tp} failed: {e.Message} The position is past it; Seek back to retry.", e);
        }

        if (_config.EnableAutoOffsetStore)
        {
            fetcher.StoredOffset = record.Offset + 1;
            fetcher.StoredLeaderEpoch = header.PartitionLeaderEpoch;
        }

        ConsumerMetrics.RecordConsumed(tp.Topic);
        Timestamp timestamp = record.Timestamp >= 0 ? new Timestamp(record.Timestamp, header.TimestampType) : Timestamp.NotAvailable;
        int? epoch = header.PartitionLeaderEpoch >= 0 ? header.PartitionLeaderEpoch : null;
        return new ConsumedRecord<TKey, TValue>(tp, record.Offset, key, value, headers, timestamp, epoch, isPartitionEof: false);
    }

    private static T Deserialize<T>(IDeserializer<T> deserializer, ReadOnlyMemory<byte>? data, SerializationContext context)
        => data is { } bytes
            ? deserializer.Deserialize(new ReadOnlySequence<byte>(bytes), isNull: false, context)
            : deserializer.Deserialize(ReadOnlySequence<byte>.Empty, isNull: true, context);

    private static Headers CopyHeaders(IReadOnlyList<RecordHeader> stored)
    {
        var headers = new Headers();
        for (int i = 0; i < stored.Count; i++)
        {
            RecordHeader header = stored[i];
            headers.Add(header.Key, header.Value is { } v ? v.ToArray() : null);
        }

        return headers;
    }
}
