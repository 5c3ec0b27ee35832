using CommitLog.Storage;

namespace CommitLog;

/// <summary>
/// One partition's accumulator and sender: the open batch records are added to, the sealed batches waiting to be
/// sent, and the send window: up to <c>max.in.flight.requests.per.connection</c> batches whose appends were issued, in
/// order, and are reported in that order.
/// </summary>
/// <remarks>
/// A batch is sealed when <c>batch.size</c> is reached, when <c>linger.ms</c> elapsed, on a flush, or at once when
/// <c>linger.ms</c> is 0 and the sender is idle with room in its window. An idempotent batch gets its producer epoch
/// and sequence numbers when it is first sent (in seal order, so the same numbers as at seal) and keeps them on every
/// retry. See PartitionSender.Window.cs for the send window.
/// </remarks>
internal sealed partial class PartitionSender<TKey, TValue> : IThreadPoolWorkItem, IDisposable
{
    private readonly Producer<TKey, TValue> _owner;
    private readonly Lock _gate = new();
    private readonly Queue<ProducerBatch<TKey, TValue>> _sealed = new();
    private readonly ITimer? _lingerTimer;
    private readonly ITimer _expiryTimer;
    private readonly CompressionType _compression;
    private ProducerBatch<TKey, TValue>? _open;
    private bool _sending;
    private bool _abandoned;

    public PartitionSender(Producer<TKey, TValue> owner, TopicPartition topicPartition, CompressionType compression)
    {
        _owner = owner;
        TopicPartition = topicPartition;
        _compression = compression;
        _maxInFlight = owner.MaxInFlight;
        _idempotent = owner.ProducerId >= 0;
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
                // linger.ms 0: send at once when the sender is idle and may send; otherwise records gather in the open
                // batch until it can (the batch the loop seals next).
                if (!_sending && CanIssueNewLocked())
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

    /// <summary>
    /// Stops accepting records and reports every batch not yet reported: batches already acknowledged (waiting for an
    /// earlier one) as delivered, the others as failed with <paramref name="error"/>.
    /// </summary>
    public void Abandon(Exception error)
    {
        List<ProducerBatch<TKey, TValue>> unsent = [];
        List<ProducerBatch<TKey, TValue>> window;
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
            window = [.. _window];
            foreach (ProducerBatch<TKey, TValue> batch in _window)
            {
                if (batch.State == BatchSendState.Resend)
                {
                    batch.State = BatchSendState.Done; // never sent again: the drain below recycles it
                }
            }
        }

        foreach (ProducerBatch<TKey, TValue> batch in window)
        {
            if (batch.State == BatchSendState.Done && batch.Error is null)
            {
                _owner.Report(TopicPartition, batch, null, batch.Result);
            }
            else
            {
                _owner.Report(TopicPartition, batch, error, default);
            }
        }

        foreach (ProducerBatch<TKey, TValue> batch in unsent)
        {
            _owner.Report(TopicPartition, batch, error, default);
            _owner.Recycle(batch);
        }

        Drain();
    }

    public void Execute() => _ = RunAsync();

    public void Dispose()
    {
        _lingerTimer?.Dispose();
        _expiryTimer.Dispose();
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

    /// <summary>Whether the send loop would seal the open batch now (linger.ms 0, a flush, or linger.ms elapsed).</summary>
    private bool OpenIsDueLocked()
        => _open is { Records.Count: > 0 } && (_lingerTimer is null || _owner.IsFlushing || LingerElapsed(_open));

    private void SealLocked()
    {
        ProducerBatch<TKey, TValue> batch = _open!;
        _open = null;
        batch.State = BatchSendState.Queued;
        _sealed.Enqueue(batch);
    }

    /// <summary>Advances a sequence number by <paramref name="records"/>, wrapping from int.MaxValue to 0 as Kafka does.</summary>
    internal static int NextSequence(int sequence, int records) => (int)((sequence + (long)records) % (int.MaxValue + 1L));
}
