using System.Runtime.CompilerServices;
using CommitLog.Storage;

namespace CommitLog;

/// <summary>
/// One partition's accumulator and sender: the open batch records are added to, the sealed batches waiting to be
/// appended, and the loop that appends them one at a time, in order (one append in flight per partition).
/// </summary>
/// <remarks>A batch is sealed when <c>batch.size</c> is reached, when <c>linger.ms</c> elapsed, on a flush, or at once when
/// <c>linger.ms</c> is 0 and nothing is in flight. Sealing fixes the batch's idempotent sequence numbers.</remarks>
internal sealed class PartitionSender<TKey, TValue> : IThreadPoolWorkItem, IDisposable
{
    private readonly Producer<TKey, TValue> _owner;
    private readonly Lock _gate = new();
    private readonly Queue<ProducerBatch<TKey, TValue>> _sealed = new();
    private readonly ITimer? _lingerTimer;
    private readonly ITimer _expiryTimer;
    private readonly CompressionType _compression;
    private ProducerBatch<TKey, TValue>? _open;
    private ProducerBatch<TKey, TValue>? _inFlight;
    private bool _sending;
    private bool _abandoned;
    private int _nextSequence;
    private short _epoch;

    public PartitionSender(Producer<TKey, TValue> owner, TopicPartition topicPartition, CompressionType compression)
    {
        _owner = owner;
        TopicPartition = topicPartition;
        _compression = compression;
        _expiryTimer = owner.Time.CreateTimer(
            static state => ((PartitionSender<TKey, TValue>)state!).OnExpiryDue(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        if (owner.Linger > TimeSpan.Zero)
        {
            _lingerTimer = owner.Time.CreateTimer(
                static state => ((PartitionSender<TKey, TValue>)state!).OnLingerElapsed(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    public TopicPartition TopicPartition { get; }

    /// <summary>Adds a record to the open batch, sealing and starting the send loop as needed.</summary>
    /// <exception cref="ObjectDisposedException">The producer was closed.</exception>
    public void Append(
        in PendingRecord<TKey, TValue> record, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, ReadOnlySpan<RecordHeader> headers, int bytes)
    {
        bool start;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_abandoned, typeof(IProducer<TKey, TValue>));
            int batchSize = _owner.BatchSize;
            if (_open is { Records.Count: > 0 } full && (batchSize == 0 || full.Bytes + bytes > batchSize))
            {
                SealLocked();
            }

            ProducerBatch<TKey, TValue> batch = _open ??= _owner.RentBatch(_compression);
            if (batch.Records.Count == 0)
            {
                batch.CreatedTimestamp = _owner.Time.GetTimestamp();
            }

            batch.Builder.Append(record.TimestampMs, key, value, headers);
            batch.Records.Add(record);
            batch.Bytes += bytes;
            if (batchSize == 0 || batch.Bytes >= batchSize)
            {
                SealLocked();
            }
            else if (_lingerTimer is null || _owner.IsFlushing)
            {
                if (!_sending)
                {
                    SealLocked();
                }
            }
            else if (batch.Records.Count == 1)
            {
                _lingerTimer.Change(_owner.Linger, Timeout.InfiniteTimeSpan);
            }

            start = TryStartLocked();
        }

        if (start)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    /// <summary>Seals the open batch now (flush) and starts sending.</summary>
    public void SealNow()
    {
        bool start;
        lock (_gate)
        {
            if (_open is { Records.Count: > 0 })
            {
                SealLocked();
            }

            start = TryStartLocked();
        }

        if (start)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    /// <summary>Stops accepting records and reports every batch not yet acknowledged as failed.</summary>
    public void Abandon(Exception error)
    {
        List<ProducerBatch<TKey, TValue>> unsent = [];
        ProducerBatch<TKey, TValue>? inFlight;
        lock (_gate)
        {
            _abandoned = true;
            if (_open is { } open)
            {
                unsent.Add(open);
                _open = null;
            }

            unsent.AddRange(_sealed);
            _sealed.Clear();
            inFlight = _inFlight;
        }

        if (inFlight is not null)
        {
            _owner.Report(TopicPartition, inFlight, error, default);
        }

        foreach (ProducerBatch<TKey, TValue> batch in unsent)
        {
            _owner.Report(TopicPartition, batch, error, default);
            _owner.Recycle(batch);
        }
    }

    public void Execute() => _ = RunAsync();

    public void Dispose()
    {
        _lingerTimer?.Dispose();
        _expiryTimer.Dispose();
    }

    /// <summary>Starts the delivery timeout of the batch in flight (one timer per partition, reused: nothing allocated).</summary>
    public void ArmExpiry(TimeSpan remaining) => _expiryTimer.Change(remaining, Timeout.InfiniteTimeSpan);

    /// <summary>Stops the delivery timeout once the append returned.</summary>
    public void DisarmExpiry() => _expiryTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

    private void OnExpiryDue()
    {
        ProducerBatch<TKey, TValue>? batch;
        lock (_gate)
        {
            batch = _inFlight;
        }

        // A late tick may find the next batch in flight (not due yet): it re-arms for that batch's own deadline.
        if (batch is not null && !batch.IsReported)
        {
            TimeSpan left = _owner.ExpireIfDue(TopicPartition, batch);
            if (left > TimeSpan.Zero)
            {
                _expiryTimer.Change(left, Timeout.InfiniteTimeSpan);
            }
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask RunAsync()
    {
        while (true)
        {
            ProducerBatch<TKey, TValue>? batch;
            lock (_gate)
            {
                if (!_sealed.TryDequeue(out batch))
                {
                    if (_open is { Records.Count: > 0 } && (_lingerTimer is null || _owner.IsFlushing || LingerElapsed(_open)))
                    {
                        SealLocked();
                        batch = _sealed.Dequeue();
                    }
                    else
                    {
                        _sending = false;
                        return;
                    }
                }

                _inFlight = batch;
            }

            short sentEpoch = batch.Builder.ProducerEpoch;
            bool failed = await _owner.SendAsync(this, batch).ConfigureAwait(false);
            if (failed && _owner.ProducerId >= 0)
            {
                _owner.BumpEpoch(sentEpoch, TopicPartition);
            }

            lock (_gate)
            {
                _inFlight = null;
                if (_owner.ProducerId >= 0)
                {
                    SyncEpochLocked();
                }
            }
        }
    }

    private void OnLingerElapsed()
    {
        bool start;
        lock (_gate)
        {
            if (_open is { Records.Count: > 0 } open)
            {
                if (LingerElapsed(open))
                {
                    SealLocked();
                }
                else
                {
                    _lingerTimer?.Change(_owner.Linger - _owner.Time.GetElapsedTime(open.CreatedTimestamp), Timeout.InfiniteTimeSpan);
                }
            }

            start = TryStartLocked();
        }

        if (start)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    private bool LingerElapsed(ProducerBatch<TKey, TValue> batch)
        => _owner.Time.GetElapsedTime(batch.CreatedTimestamp) + TimeSpan.FromMilliseconds(1) > _owner.Linger;

    private bool TryStartLocked()
    {
        if (_sending || _sealed.Count == 0)
        {
            return false;
        }

        _sending = true;
        return true;
    }

    private void SealLocked()
    {
        ProducerBatch<TKey, TValue> batch = _open!;
        _open = null;
        if (_owner.ProducerId >= 0)
        {
            SyncEpochLocked();
            RecordBatchBuilder builder = batch.Builder;
            builder.ProducerId = _owner.ProducerId;
            builder.ProducerEpoch = _epoch;
            builder.BaseSequence = _nextSequence;
            _nextSequence = NextSequence(_nextSequence, batch.Records.Count);
        }

        _sealed.Enqueue(batch);
    }

    /// <summary>
    /// Follows the producer's epoch. After a batch failed for good on any partition, the producer moved to a new epoch
    /// (<see cref="Producer{TKey, TValue}.BumpEpoch"/>); every partition then starts again at sequence 0 in that epoch,
    /// as Kafka's producer does (KIP-360), and the batches still waiting here are renumbered. Called before a batch is
    /// sealed and after each send, so the batch in flight (one per partition) keeps the numbers it was sent with.
    /// </summary>
    private void SyncEpochLocked()
    {
        short epoch = _owner.Epoch;
        if (epoch == _epoch)
        {
            return;
        }

        _epoch = epoch;
        _nextSequence = 0;
        foreach (ProducerBatch<TKey, TValue> queued in _sealed)
        {
            queued.Builder.ProducerEpoch = _epoch;
            queued.Builder.BaseSequence = _nextSequence;
            _nextSequence = NextSequence(_nextSequence, queued.Records.Count);
        }
    }

    /// <summary>Advances a sequence number by <paramref name="records"/>, wrapping from int.MaxValue to 0 as Kafka does.</summary>
    internal static int NextSequence(int sequence, int records) => (int)((sequence + (long)records) % (int.MaxValue + 1L));
}
