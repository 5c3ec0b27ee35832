using CommitLog.Storage;

namespace CommitLog.Tests.Broker;

/// <summary>Encoded record batches for append tests.</summary>
internal static class Batches
{
    public static byte[] Of(params string[] values)
    {
        using var builder = new RecordBatchBuilder();
        foreach (string value in values)
        {
            builder.Append(1_700_000_000_000, null, System.Text.Encoding.UTF8.GetBytes(value));
        }

        return builder.ToArray();
    }
}
