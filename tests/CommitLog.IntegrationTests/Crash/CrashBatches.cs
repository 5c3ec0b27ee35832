using CommitLog.CrashChild;
using CommitLog.Storage;

namespace CommitLog.IntegrationTests.Crash;

/// <summary>Builds producer batches of crash-child records in this process, for tests that append directly.</summary>
internal static class CrashBatches
{
    /// <summary>A batch of <paramref name="count"/> records of <paramref name="writer"/>, sequences <paramref name="seq"/> on.</summary>
    public static byte[] Make(int writer, long seq, int count)
    {
        using var builder = new RecordBatchBuilder();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var i = 0; i < count; i++)
        {
            builder.Append(now, null, CrashRecord.Encode(writer, seq + i));
        }

        return builder.ToArray();
    }

    /// <summary>The acknowledgement of an append made with <see cref="Make"/>.</summary>
    public static Ack ToAck(AppendResult result, int writer, long seq) => new(result.FirstOffset, result.LastOffset, result.Durability, writer, seq);
}
