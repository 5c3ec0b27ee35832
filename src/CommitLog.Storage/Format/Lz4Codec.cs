using System.Buffers;
using K4os.Compression.LZ4;
using K4os.Compression.LZ4.Streams;

namespace CommitLog.Storage;

/// <summary>
/// Kafka codec 3: one LZ4 frame (magic <c>0x184D2204</c>) over the records section, written the way Kafka's Java
/// client and librdkafka write it: independent blocks (FLG <c>0x60</c>: version 1, block independence, no block or
/// content checksum, no content size), 64 KiB maximum block size (BD <c>0x40</c>), standard header checksum.
/// </summary>
/// <remarks>Kafka's Java consumer rejects frames with dependent (chained) blocks, hence <c>ChainBlocks = false</c>.</remarks>
internal sealed class Lz4Codec : ICompressionCodec
{
    /// <summary>The shared instance.</summary>
    public static readonly Lz4Codec Instance = new();

    private static readonly LZ4EncoderSettings EncoderSettings = new()
    {
        ChainBlocks = false,
        BlockSize = 64 * 1024,
        BlockChecksum = false,
        ContentChecksum = false,
        CompressionLevel = LZ4Level.L00_FAST,
    };

    private Lz4Codec()
    {
    }

    /// <inheritdoc/>
    public CompressionType Type => CompressionType.Lz4;

    /// <inheritdoc/>
    public void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
        => LZ4Frame.Encode(source, destination, EncoderSettings);

    /// <inheritdoc/>
    public void Decompress(ReadOnlyMemory<byte> source, IBufferWriter<byte> destination, int maxDecompressedBytes)
    {
        try
        {
            using var reader = LZ4Frame.Decode(source);
            BoundedCopy.Run(span => reader.ReadManyBytes(span, interactive: false), destination, maxDecompressedBytes, "lz4");
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException or NotSupportedException
                                      or InvalidOperationException or IndexOutOfRangeException or OverflowException)
        {
            throw FormatErrors.DecompressionFailed("lz4", e);
        }
    }
}
