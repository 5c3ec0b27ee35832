using CommitLog.Storage;

namespace CommitLog;

/// <summary>One partition's batch: the encoded records and who waits for them. Reused after it was reported.</summary>
internal sealed class ProducerBatch<TKey, TValue> : IDisposable
{
    private int _reported;

    public RecordBatchBuilder Builder { get; } = new();

    public List<PendingRecord<TKey, TValue>> Records { get; } = [];

    /// <summary>Gets or sets the <see cref="TimeProvider.GetTimestamp"/> of the first record.</summary>
    public long CreatedTimestamp { get; set; }

    /// <summary>Gets or sets the bytes of <c>buffer.memory</c> the records hold.</summary>
    public long Bytes { get; set; }

    /// <summary>Gets a value indicating whether the outcome was reported (e.g. by the delivery timeout).</summary>
    public bool IsReported => Volatile.Read(ref _reported) != 0;

    /// <summary>Gets or sets a value indicating whether the batch was reported as failed.</summary>
    public bool Failed { get; set; }

    /// <summary>Gets or sets where the batch stands in its partition's send window.</summary>
    public BatchSendState State { get; set; }

    /// <summary>Gets or sets the encoded batch (set when it is first sent, rebuilt when it is renumbered).</summary>
    public Memory<byte> Encoded { get; set; }

    /// <summary>Gets or sets how often the batch was sent.</summary>
    public int Attempts { get; set; }

    /// <summary>Gets or sets a value indicating whether the batch's producer epoch and sequence were assigned.</summary>
    public bool Sequenced { get; set; }

    /// <summary>Gets or sets a value indicating whether the last refusal proved nothing was written (out of sequence).</summary>
    public bool NotWritten { get; set; }

    /// <summary>Gets or sets the <see cref="TimeProvider.GetTimestamp"/> of the last send.</summary>
    public long SentTimestamp { get; set; }

    /// <summary>Gets or sets the acknowledged append (when <see cref="State"/> is done without <see cref="Error"/>).</summary>
    public AppendResult Result { get; set; }

    /// <summary>Gets or sets the last failure of the batch's append (null once acknowledged).</summary>
    public Exception? Error { get; set; }

    /// <summary>Returns true exactly once: the caller reports the outcome.</summary>
    public bool TryMarkReported() => Interlocked.Exchange(ref _reported, 1) == 0;

    public void Reset(CompressionType compression)
    {
        Builder.Reset();
        Builder.Compression = compression;
        Records.Clear();
        Bytes = 0;
        Failed = false;
        State = BatchSendState.Queued;
        Encoded = default;
        Attempts = 0;
        Sequenced = false;
        NotWritten = false;
        Result = default;
        Error = null;
        Volatile.Write(ref _reported, 0);
    }

    public void Dispose() => Builder.Dispose();
}
