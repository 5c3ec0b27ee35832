using CommitLog.Storage;
using CommitLog.Storage.IO;
using Record = CommitLog.Storage.Record;

namespace CommitLog.Tests.Producer;

/// <summary>Reading back what a producer wrote, and a storage whose log writes can be held back.</summary>
internal static class ProducerTestKit
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Every batch of a partition, with its records, as stored.</summary>
    public static List<(RecordBatchHeader Header, List<Record> Records)> ReadBatches(CommitLog.Broker broker, string topic, int partition)
    {
        var batches = new List<(RecordBatchHeader, List<Record>)>();
        var tp = new TopicPartition(topic, partition);
        long offset = 0;
        while (true)
        {
            using LogReadResult read = broker.Read(tp, offset, 1 << 20);
            if (read.Records.Length == 0)
            {
                return batches;
            }

            // A copy: the records point into the bytes, and the read buffer goes back to the pool at the end of this scope.
            foreach (RecordBatch batch in RecordBatch.ReadAll(read.Records.ToArray()))
            {
                batches.Add((batch.Header, batch.ToList()));
                offset = batch.Header.LastOffset + 1;
            }
        }
    }

    public static List<Record> ReadRecords(CommitLog.Broker broker, string topic, int partition)
        => [.. ReadBatches(broker, topic, partition).SelectMany(b => b.Records)];

    public static string Text(ReadOnlyMemory<byte>? bytes) => bytes is { } b ? System.Text.Encoding.UTF8.GetString(b.Span) : "<null>";

    public static ProducerConfig Settings(int lingerMs = 0, Acks acks = Acks.All, int batchSize = 16384, long bufferMemory = 32 << 20,
        int maxBlockMs = 60_000, bool? idempotence = null) => new(new Dictionary<string, string>
    {
        ["acks"] = acks switch { Acks.None => "0", Acks.Leader => "1", _ => "all" },
        ["linger.ms"] = lingerMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["batch.size"] = batchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["buffer.memory"] = bufferMemory.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["max.block.ms"] = maxBlockMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["enable.idempotence"] = (idempotence ?? acks == Acks.All) ? "true" : "false",
    });
}

/// <summary>In-memory storage whose writes to <c>.log</c> files wait while the gate is closed: a log that is slow.</summary>
internal sealed class GatedStorage : ISegmentStorage
{
    private readonly InMemorySegmentStorage _inner = new();
    private readonly ManualResetEventSlim _open = new(initialState: true);

    public int BlockedWrites;

    /// <summary>The number of coming writes to <c>.log</c> files that fail with an <see cref="IOException"/>.</summary>
    public int FailLogWrites;

    public void Close() => _open.Reset();

    public void Open() => _open.Set();

    public ISegmentFile OpenFile(string path, bool create) => new GatedFile(_inner.OpenFile(path, create), this);

    public bool FileExists(string path) => _inner.FileExists(path);

    public void DeleteFile(string path) => _inner.DeleteFile(path);

    public void RenameFile(string source, string destination) => _inner.RenameFile(source, destination);

    public void CreateDirectory(string path) => _inner.CreateDirectory(path);

    public bool DirectoryExists(string path) => _inner.DirectoryExists(path);

    public IReadOnlyList<string> ListFiles(string directory) => _inner.ListFiles(directory);

    public void SyncDirectory(string directory) => _inner.SyncDirectory(directory);

    public IDisposable LockDirectory(string directory) => _inner.LockDirectory(directory);

    private sealed class GatedFile(ISegmentFile inner, GatedStorage owner) : ISegmentFile
    {
        public string Path => inner.Path;

        public long Length => inner.Length;

        public int Read(long position, Span<byte> destination) => inner.Read(position, destination);

        public void Write(long position, ReadOnlySpan<byte> source)
        {
            if (Path.EndsWith(".log", StringComparison.Ordinal) && Interlocked.Decrement(ref owner.FailLogWrites) >= 0)
            {
                throw new IOException("Injected write failure.");
            }

            if (Path.EndsWith(".log", StringComparison.Ordinal) && !owner._open.IsSet)
            {
                Interlocked.Increment(ref owner.BlockedWrites);
                owner._open.Wait();
            }

            inner.Write(position, source);
        }

        public void Flush() => inner.Flush();

        public void SetLength(long length) => inner.SetLength(length);

        public void Dispose() => inner.Dispose();
    }
}
