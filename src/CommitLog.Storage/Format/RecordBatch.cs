namespace CommitLog.Storage;

/// <summary>
/// A read-only view of one whole encoded RecordBatch v2 (header and records section), as stored in a segment and
/// sent on the wire. Creating the view checks only what is needed to read the header (size, batchLength, magic);
/// use <see cref="IsCrcValid"/> or <see cref="Validate"/> for the checksum and field ranges.
/// </summary>
/// <remarks>A value type over caller memory: it is as thread-safe as that memory is immutable.</remarks>
public readonly struct RecordBatch
{
    /// <summary>
    /// The default bound on the decompressed size of a records section (64 MiB): larger output is treated as a
    /// decompression bomb. Pass a larger limit to <see cref="GetRecords"/> for genuine batches that need it.
    /// </summary>
    public const int DefaultMaxDecompressedBytes = 64 * 1024 * 1024;

    /// <summary>Initializes a view over <paramref name="batch"/>, which must hold exactly one batch.</summary>
    /// <param name="batch">The encoded batch: exactly batchLength + 12 bytes.</param>
    /// <exception cref="CorruptRecordException">
    /// <paramref name="batch"/> is shorter than 61 bytes, its batchLength disagrees with its length, or its magic is not 2.
    /// </exception>
    public RecordBatch(ReadOnlyMemory<byte> batch)
    {
        RecordBatchValidator.ValidateStructure(batch.Span);
        Memory = batch;
        Header = RecordBatchHeader.Read(batch.Span);
    }

    /// <summary>Gets the encoded bytes of the whole batch.</summary>
    public ReadOnlyMemory<byte> Memory { get; }

    /// <summary>Gets the decoded fixed header.</summary>
    public RecordBatchHeader Header { get; }

    /// <summary>Gets the total size of the batch in bytes.</summary>
    public int SizeInBytes => Memory.Length;

    /// <summary>Gets a value indicating whether the stored CRC-32C matches bytes [21, end) of the batch.</summary>
    public bool IsCrcValid => RecordBatchHeader.ComputeCrc(Memory.Span) == Header.Crc;

    /// <summary>
    /// Reads the batches in <paramref name="buffer"/> one after another, stopping before an incomplete batch at
    /// the end (as a fetch response may carry), so <see cref="RecordBatchEnumerator.BytesConsumed"/> tells where
    /// the whole batches end.
    /// </summary>
    /// <param name="buffer">Zero or more concatenated batches, possibly followed by a partial one.</param>
    /// <returns>An enumerator of the whole batches; it throws <see cref="CorruptRecordException"/> on a batch that
    /// can never be complete (batchLength below 49) or has a magic other than 2.</returns>
    public static RecordBatchEnumerator ReadAll(ReadOnlyMemory<byte> buffer) => new(buffer);

    /// <summary>Checks the CRC-32C and the header fields.</summary>
    /// <exception cref="CorruptRecordException">The batch fails a check; the message names the field and value.</exception>
    public void Validate() => RecordBatchValidator.ValidateExact(Memory.Span);

    /// <summary>
    /// Enumerates the records, decompressing the records section first when the batch is compressed. Does not check
    /// the CRC. Uncompressed keys and values point into <see cref="Memory"/>; compressed ones into a new buffer.
    /// </summary>
    /// <param name="maxDecompressedBytes">The largest decompressed records section accepted, in bytes.</param>
    /// <returns>An enumerator (and enumerable) of the records in offset order.</returns>
    /// <exception cref="CorruptRecordException">The records section is malformed or decompresses past the limit
    /// (thrown here for compressed batches, by the enumerator for record-level damage).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDecompressedBytes"/> is negative.</exception>
    public RecordEnumerator GetRecords(int maxDecompressedBytes = DefaultMaxDecompressedBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxDecompressedBytes);
        RecordBatchHeader header = Header;
        ReadOnlyMemory<byte> section = Memory[RecordBatchHeader.Size..];
        if (header.Compression != CompressionType.None)
        {
            section = Decompress(header.Compression, section, maxDecompressedBytes);
        }

        return new RecordEnumerator(section, header);
    }

    /// <summary>Returns the records as a list (a convenience that allocates; prefer <see cref="GetRecords"/>).</summary>
    /// <exception cref="CorruptRecordException">The records section is malformed.</exception>
    public List<Record> ToList(int maxDecompressedBytes = DefaultMaxDecompressedBytes)
    {
        var list = new List<Record>(Math.Clamp(Header.RecordsCount, 0, 1024));
        foreach (Record record in GetRecords(maxDecompressedBytes))
        {
            list.Add(record);
        }

        return list;
    }

    private static ReadOnlyMemory<byte> Decompress(CompressionType type, ReadOnlyMemory<byte> section, int maxDecompressedBytes)
    {
        if (!CompressionCodecs.IsSupported(type))
        {
            throw FormatErrors.UnsupportedCompression(type);
        }

        ICompressionCodec codec = CompressionCodecs.Get(type)!;

        // The output escapes to the caller (keys and values point into it), so it is GC-owned, not pooled.
        // Start near a typical ratio and let it grow; it never grows past the limit.
        int initial = (int)Math.Clamp(section.Length * 4L, 256, Math.Max(256, maxDecompressedBytes));
        var output = new System.Buffers.ArrayBufferWriter<byte>(initial);
        codec.Decompress(section, output, maxDecompressedBytes);
        return output.WrittenMemory;
    }
}
