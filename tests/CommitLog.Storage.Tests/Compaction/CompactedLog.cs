using System.Text;
using CommitLog.Storage.IO;
using CommitLog.TestKit;
using Microsoft.Extensions.Time.Testing;

namespace CommitLog.Storage.Tests.Compaction;

/// <summary>A record as written (the model) or as read back.</summary>
internal readonly record struct KeyedRecord(long Offset, string Key, string? Value, long Timestamp);

/// <summary>A compacted partition log on the simulated disk, with a fake clock and the list of everything written.</summary>
internal sealed class CompactedLog : IAsyncDisposable
{
    public const string Directory = "/data/compacted-0";

    public CompactedLog(Func<LogOptions, LogOptions>? configure = null, int seed = 0)
    {
        Disk = new SimulatedStorage(seed);
        Configure = configure ?? (o => o);
        Log = PartitionLog.Open(Directory, Options(Disk));
    }

    public SimulatedStorage Disk { get; }

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));

    public Func<LogOptions, LogOptions> Configure { get; }

    public PartitionLog Log { get; private set; }

    /// <summary>Gets every record appended, in offset order.</summary>
    public List<KeyedRecord> Written { get; } = [];

    public LogOptions Options(ISegmentStorage storage) => Configure(new LogOptions
    {
        Storage = storage,
        CleanupPolicy = LogCleanupPolicy.Compact,
        SegmentBytes = 64 * 1024,
        IndexIntervalBytes = 128,
        RetentionCheckInterval = null,
        TimeProvider = Time,
        DeleteRetention = TimeSpan.FromHours(1),
        MinCleanableDirtyRatio = 0.5,
    });

    public static byte[] Batch(IEnumerable<(string Key, string? Value)> records, long timestamp, CompressionType compression = CompressionType.None)
    {
        using var builder = new RecordBatchBuilder(compression);
        foreach (var (key, value) in records)
        {
            builder.Append(timestamp, Encoding.UTF8.GetBytes(key), value is null ? null : Encoding.UTF8.GetBytes(value));
        }

        return builder.ToArray();
    }

    /// <summary>Appends one batch of keyed records (a null value is a tombstone) and records it in <see cref="Written"/>.</summary>
    public async Task<AppendResult> AppendAsync(CompressionType compression, params (string Key, string? Value)[] records)
    {
        var now = Time.GetUtcNow().ToUnixTimeMilliseconds();
        var result = await Log.AppendAsync(Batch(records, now, compression), TestContext.Current.CancellationToken);
        for (var i = 0; i < records.Length; i++)
        {
            Written.Add(new KeyedRecord(result.FirstOffset + i, records[i].Key, records[i].Value, now));
        }

        return result;
    }

    public Task<AppendResult> AppendAsync(params (string Key, string? Value)[] records) => AppendAsync(CompressionType.None, records);

    public ValueTask<CompactionResult> CompactAsync(bool force = true) => Log.CompactAsync(force, TestContext.Current.CancellationToken);

    /// <summary>Reads every record from <paramref name="from"/> (default: the log start) to the end.</summary>
    public List<KeyedRecord> ReadAll(long from = -1) => ReadAll(Log, from);

    public static List<KeyedRecord> ReadAll(PartitionLog log, long from = -1)
    {
        var result = new List<KeyedRecord>();
        var offset = from < 0 ? log.LogStartOffset : from;
        while (offset < log.LogEndOffset)
        {
            using var read = log.Read(offset, 4096);
            if (read.IsEmpty)
            {
                break;
            }

            foreach (var batch in RecordBatch.ReadAll(read.Records))
            {
                Assert.True(batch.IsCrcValid, $"batch at {batch.Header.BaseOffset} has a bad CRC");
                foreach (var record in batch.GetRecords())
                {
                    if (record.Offset >= offset)
                    {
                        result.Add(new KeyedRecord(record.Offset, Encoding.UTF8.GetString(record.Key!.Value.Span),
                            record.Value is { } v ? Encoding.UTF8.GetString(v.Span) : null, record.Timestamp));
                    }
                }
            }

            Assert.True(read.NextOffset > offset, $"a read at {offset} did not advance");
            offset = read.NextOffset;
        }

        return result;
    }

    /// <summary>Closes the log cleanly and opens it again.</summary>
    public async Task ReopenAsync()
    {
        await Log.DisposeAsync();
        Log = PartitionLog.Open(Directory, Options(Disk));
    }

    /// <summary>Kills the log (every later call of the old instance fails), applies a power loss and opens it again.</summary>
    public async Task CrashAndReopenAsync(PowerLossMode mode, int seed, ProbeStorage? probe = null)
    {
        probe?.Kill();
        Disk.Crash(mode, seed);
        try
        {
            await Log.DisposeAsync();
        }
        catch (IOException)
        {
            // the zombie's calls fail; it cannot touch the disk
        }

        Log = PartitionLog.Open(Directory, Options(Disk));
    }

    /// <summary>Kills the log and applies a power loss without reopening (the next open is the caller's).</summary>
    public async Task CrashAsync(PowerLossMode mode, int seed, ProbeStorage? probe = null)
    {
        probe?.Kill();
        Disk.Crash(mode, seed);
        try
        {
            await Log.DisposeAsync();
        }
        catch (IOException)
        {
            // the zombie's calls fail; it cannot touch the disk
        }
    }

    /// <summary>Replaces the open log (used by crash tests that open it through a probe).</summary>
    public void Use(PartitionLog log) => Log = log;

    /// <summary>Returns the names of the segment files (.log) in the directory.</summary>
    public List<string> SegmentFiles() => [.. Disk.ListFiles(Directory).Where(f => f.EndsWith(".log", StringComparison.Ordinal)).Order()];

    public async ValueTask DisposeAsync() => await Log.DisposeAsync();
}
