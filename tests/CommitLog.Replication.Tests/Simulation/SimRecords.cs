using System.Text;
using CommitLog.Replication.Replica;
using CommitLog.Storage;

namespace CommitLog.Replication.Tests.Simulation;

/// <summary>Decodes the records of a replica's log (offset and value) for the checker and the consumers.</summary>
internal static class SimRecords
{
    public static IEnumerable<(long Offset, string Value)> Decode(ReadOnlyMemory<byte> batches)
    {
        foreach (var batch in RecordBatch.ReadAll(batches))
        {
            foreach (var record in batch.ToList())
            {
                yield return (record.Offset, record.Value is { } v ? Encoding.UTF8.GetString(v.Span) : "");
            }
        }
    }

    /// <summary>Every record of <paramref name="log"/> from <paramref name="from"/> below <paramref name="to"/>.</summary>
    public static List<(long Offset, string Value)> Read(IReplicaLog log, long from, long to)
    {
        var result = new List<(long, string)>();
        var offset = Math.Max(from, log.LogStartOffset);
        while (offset < to)
        {
            using var read = log.ReadToLogEnd(offset, 64 * 1024);
            var bytes = read.Records.ToArray();
            if (bytes.Length == 0)
            {
                break;
            }

            foreach (var (o, v) in Decode(bytes))
            {
                if (o >= offset && o < to)
                {
                    result.Add((o, v));
                }

                offset = Math.Max(offset, o + 1);
            }
        }

        return result;
    }
}
