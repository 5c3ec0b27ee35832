using CommitLog.Storage;

namespace CommitLog;

/// <content>The consumer side: walks the fetched chunks batch by batch and record by record. Called only under the consumer's lock.</content>
internal sealed partial class PartitionFetcher
{
    private FetchedChunk? _current;
    private int _batchPosition;
    private RecordEnumerator _records;
    private bool _inBatch;
    private long _endReportedAt = -1;

    /// <summary>Gets the offset of the next record to return.</summary>
    public long Position { get; private set; }

    /// <summary>Gets or sets the offset to commit next (the next record to consume), or -1 if none was stored.</summary>
    public long StoredOffset { get; set; } = -1;

    /// <summary>Gets or sets the leader epoch of the record whose offset was stored, or -1.</summary>
    public int StoredLeaderEpoch { get; set; } = -1;

    /// <summary>Gets or sets the offset this consumer last committed, or -1.</summary>
    public long CommittedOffset { get; set; } = -1;

    /// <summary>Gets or sets a value indicating whether records are withheld (<see cref="IConsumer{TKey, TValue}.Pause"/>).</summary>
    public bool Paused { get; set; }

    /// <summary>Gets the header of the batch the last record came from.</summary>
    public RecordBatchHeader BatchHeader { get; private set; }

    /// <summary>Gets a value indicating whether a chunk is being read or queued.</summary>
    public bool HasFetched => _current is not null || Interlocked.Read(ref _queuedBytes) > 0 || HasQueuedNotice;

    /// <summary>Gets the lag: high watermark minus position (0 before the first fetch).</summary>
    public long Lag => HighWatermark is var hw and >= 0 ? Math.Max(0, hw - Position) : 0;

    /// <summary>
    /// Moves to the next record at or after <see cref="Position"/>, or to a notice. Records point into pooled memory
    /// that stays valid until the next call.
    /// </summary>
    /// <returns>What was found: a record, an end-of-partition notice, or nothing fetched yet.</returns>
    /// <exception cref="ConsumeException">The fetcher failed (e.g. out of range with <c>auto.offset.reset=error</c>).</exception>
    public ReadStep Next(out Record record)
    {
        record = default;
        while (true)
        {
            if (_inBatch)
            {
                if (_records.MoveNext())
                {
                    record = _records.Current;
                    if (record.Offset < Position)
                    {
                        continue;
                    }

                    Position = record.Offset + 1;
                    return ReadStep.Record;
                }

                _inBatch = false;
            }

            if (_current?.Data is { } data)
            {
                ReadOnlyMemory<byte> bytes = data.Records;
                if (_batchPosition < bytes.Length)
                {
                    int size = RecordBatchHeader.ReadTotalSize(bytes.Span[_batchPosition..]);
                    var batch = new RecordBatch(bytes.Slice(_batchPosition, size));
                    _batchPosition += size;
                    if (batch.Header.LastOffset >= Position && !batch.Header.IsControl)
                    {
                        BatchHeader = batch.Header;
                        _records = batch.GetRecords();
                        _inBatch = true;
                    }

                    continue;
                }

                ReleaseCurrent();
            }

            FetchedChunk? chunk = TryDequeue();
            if (chunk is null)
            {
                return ReadStep.None;
            }

            switch (chunk.Kind)
            {
                case FetchedChunkKind.Data:
                    _current = chunk;
                    _batchPosition = 0;
                    Position = Math.Max(Position, chunk.Offset);
                    break;
                case FetchedChunkKind.Reset:
                    Position = chunk.Offset;
                    break;
                case FetchedChunkKind.EndOfPartition when chunk.Offset == Position && _endReportedAt != Position:
                    _endReportedAt = Position;
                    return ReadStep.EndOfPartition;
                case FetchedChunkKind.Error:
                    throw ToConsumeException(chunk);
            }
        }
    }

    private ConsumeException ToConsumeException(FetchedChunk chunk)
    {
        var at = new TopicPartitionOffset(TopicPartition, chunk.Offset);
        return chunk.Error switch
        {
            ConsumeException e => e,
            OffsetOutOfRangeException e => new ConsumeException(e.ErrorCode, at,
                $"Partition {TopicPartition}: position {chunk.Offset} is out of range (the log holds {e.LogStartOffset} to {e.LogEndOffset}) " +
                "and auto.offset.reset is 'error'; Seek to a valid offset to resume this partition.", e),
            CommitLogException e => new ConsumeException(e.ErrorCode, at,
                $"Fetching partition {TopicPartition} at offset {chunk.Offset} failed: {e.Message} Seek to resume this partition.", e),
            var e => new ConsumeException(ErrorCode.Unknown, at,
                $"Fetching partition {TopicPartition} at offset {chunk.Offset} failed: {e?.Message} Seek to resume this partition.", e),
        };
    }

    private void ResetReader(long position)
    {
        ReleaseCurrent();
        Position = position;
        _endReportedAt = -1;
    }

    private void ReleaseCurrent()
    {
        _inBatch = false;
        _records = default;
        if (_current is { } chunk)
        {
            _current = null;
            Discard(chunk);
        }
    }
}

/// <summary>What <see cref="PartitionFetcher.Next"/> found.</summary>
internal enum ReadStep
{
    /// <summary>Nothing is fetched yet.</summary>
    None,

    /// <summary>A record.</summary>
    Record,

    /// <summary>The position reached the end of the partition (reported once per reaching it).</summary>
    EndOfPartition,
}
