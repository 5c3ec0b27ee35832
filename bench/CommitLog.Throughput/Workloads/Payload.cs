namespace CommitLog.Throughput.Workloads;

/// <summary>The record payload every contender writes: the same pseudo-random bytes (fixed seed), so no one compresses or caches better.</summary>
internal static class Payload
{
    public static byte[] Create(int size)
    {
        var bytes = new byte[size];
        new Random(42 + size).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Records per batch for our append: as many as fit in <paramref name="batchBytes"/> (record overhead ~8 B), at least 1.</summary>
    public static int RecordsPerBatch(int size, int batchBytes) => Math.Max(1, (batchBytes - 61) / (size + 8));
}
