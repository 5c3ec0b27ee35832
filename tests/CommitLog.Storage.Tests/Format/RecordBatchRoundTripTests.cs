using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CommitLog.Storage.Tests.Format;

public class RecordBatchRoundTripTests
{
    [Property(MaxTest = 100, Arbitrary = [typeof(RecordGenerators)])]
    public Property RoundTrip_Uncompressed_DecodesWhatWasAppended(TestBatch batch) => Check(batch, CompressionType.None);

    [Property(MaxTest = 60, Arbitrary = [typeof(RecordGenerators)])]
    public Property RoundTrip_Gzip_DecodesWhatWasAppended(TestBatch batch) => Check(batch, CompressionType.Gzip);

    [Property(MaxTest = 60, Arbitrary = [typeof(RecordGenerators)])]
    public Property RoundTrip_Lz4_DecodesWhatWasAppended(TestBatch batch) => Check(batch, CompressionType.Lz4);

    [Property(MaxTest = 30, Arbitrary = [typeof(RecordGenerators)])]
    public bool Encode_SameRecordsAnyCodec_SameRecordsSection(TestBatch batch)
    {
        // The uncompressed records section equals the decompressed section of the compressed encodings.
        byte[] plain = BatchTestHelpers.Encode(batch, CompressionType.None);
        foreach (CompressionType codec in new[] { CompressionType.Gzip, CompressionType.Lz4 })
        {
            byte[] compressed = BatchTestHelpers.Encode(batch, codec);
            var output = new System.Buffers.ArrayBufferWriter<byte>();
            CompressionCodecs.Get(codec)!.Decompress(compressed.AsMemory(RecordBatchHeader.Size), output, int.MaxValue);
            if (!output.WrittenSpan.SequenceEqual(plain.AsSpan(RecordBatchHeader.Size)))
            {
                return false;
            }
        }

        return true;
    }

    private static Property Check(TestBatch input, CompressionType compression)
    {
        const long baseOffset = 42;
        byte[] bytes = BatchTestHelpers.Encode(input, compression, baseOffset);
        var batch = new RecordBatch(bytes);
        batch.Validate();
        string? difference = BatchTestHelpers.Difference(input, batch, baseOffset);
        return (difference is null && batch.IsCrcValid && batch.Header.Compression == compression)
            .Label($"{compression}: {difference ?? "header"}");
    }
}
