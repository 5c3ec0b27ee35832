using System.IO.Hashing;

namespace CommitLog.Storage;

/// <summary>CRC-32C (Castagnoli), the checksum of RecordBatch v2.</summary>
internal static class Crc32C
{
    /// <summary>Computes the CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, data);
}
