namespace CommitLog.Storage;

/// <summary>
/// One record decoded from a <see cref="RecordBatch"/>. <see cref="Key"/>, <see cref="Value"/> and header values
/// point into the batch's memory (or its decompressed copy); they stay valid as long as that memory does.
/// </summary>
public readonly struct Record
{
    private static readonly RecordHeader[] NoHeaders = [];
    private readonly RecordHeader[]? _headers;

    internal Record(long offset, long timestamp, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, RecordHeader[]? headers)
    {
        Offset = offset;
        Timestamp = timestamp;
        Key = key;
        Value = value;
        _headers = headers;
    }

    /// <summary>Gets the offset of the record: the batch's baseOffset plus the record's offsetDelta.</summary>
    public long Offset { get; }

    /// <summary>
    /// Gets the record's timestamp in Unix milliseconds: baseTimestamp plus timestampDelta, or the batch's
    /// maxTimestamp when the batch's timestamp type is <see cref="TimestampType.LogAppendTime"/> (as in Kafka).
    /// </summary>
    public long Timestamp { get; }

    /// <summary>Gets the key, or <see langword="null"/> for a null key (distinct from an empty key).</summary>
    public ReadOnlyMemory<byte>? Key { get; }

    /// <summary>Gets the value, or <see langword="null"/> for a null value (a tombstone; distinct from empty).</summary>
    public ReadOnlyMemory<byte>? Value { get; }

    /// <summary>Gets the headers in their stored order; empty when there are none.</summary>
    public IReadOnlyList<RecordHeader> Headers => _headers ?? NoHeaders;
}
