using System.Buffers;

namespace CommitLog.Storage;

/// <summary>
/// Compresses and decompresses the records section of a batch (everything after the 61-byte header) as one
/// stream. One implementation per <see cref="CompressionType"/>; see <see cref="CompressionCodecs"/>.
/// </summary>
/// <remarks>Implementations are stateless and thread-safe.</remarks>
internal interface ICompressionCodec
{
    /// <summary>Gets the codec id stored in bits 0-2 of the batch attributes.</summary>
    CompressionType Type { get; }

    /// <summary>Compresses <paramref name="source"/> into <paramref name="destination"/> as one stream.</summary>
    void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination);

    /// <summary>
    /// Decompresses <paramref name="source"/> into <paramref name="destination"/>, stopping with
    /// <see cref="CorruptRecordException"/> as soon as more than <paramref name="maxDecompressedBytes"/> would be produced.
    /// </summary>
    /// <exception cref="CorruptRecordException">The stream is malformed or larger than the limit.</exception>
    void Decompress(ReadOnlyMemory<byte> source, IBufferWriter<byte> destination, int maxDecompressedBytes);
}
