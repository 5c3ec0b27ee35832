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

    /// <summary>Returns true exactly once: the caller reports the outcome.</summary>
    public bool TryMarkReported() => Interlocked.Exchange(ref _reported, 1) == 0;

    public void Reset(CompressionType compression)
    {
        Builder.Reset();
        Builder.Compression = compression;
        Records.Clear();
        Bytes = 0;
        Failed = false;
        Volatile.Write(ref _reported, 0);
    }

    public void Dispose() => Builder.Dispose();
}
