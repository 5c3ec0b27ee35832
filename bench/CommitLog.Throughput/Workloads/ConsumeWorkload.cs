using CommitLog.Storage;
using CommitLog.Throughput.Contenders;
using CommitLog.Throughput.Reporting;

namespace CommitLog.Throughput.Workloads;

/// <summary>
/// Issue 4's consume throughput: a broker on a real directory, one topic of one partition filled once with N records
/// (pre-encoded ~64 KiB batches appended through the broker, then flushed: hot page cache), then consumed end to end
/// every round by a fresh consumer assigned at <see cref="Offset.Beginning"/> (default fetch settings: 1 MiB per
/// partition fetch, 50 MiB prefetch). The time includes building the consumer, assigning and disposing it. Variants:
/// <list type="bullet">
/// <item><c>TryConsume</c> with <see cref="Ignore"/> key and value (the non-allocating path: records decoded, payload not copied).</item>
/// <item><c>Consume</c> with <c>byte[]</c> values: a <see cref="ConsumeResult{TKey, TValue}"/> and a value copy per record (Confluent's shape).</item>
/// <item>A group of 4: a second topic of 4 partitions holding the same N records (N/4 each), read by 4 consumers that
/// subscribe in a fresh group every round (<c>TryConsume</c>, <see cref="Ignore"/>), each on its own thread. The four
/// join in one rebalance (initial rebalance delay 300 ms); the time starts once each member holds its first record
/// (the group is stable) and ends when the 4 together have consumed N records.</item>
/// </list>
/// Every run must see exactly N records in offset order or it fails.
/// </summary>
internal sealed class ConsumeWorkload : IScanTarget
{
    public const string TryConsumeName = "CommitLog consumer (TryConsume, Ignore)";
    public const string ConsumeName = "CommitLog consumer (Consume, byte[])";
    public const string GroupName = "CommitLog group of 4 (TryConsume, Ignore)";
    private const string Topic = "bench";
    private const string GroupTopic = "bench-4";
    private const int GroupSize = 4;
    private static readonly TopicPartition Tp = new(Topic, 0);
    private int _round;
    private readonly BenchDirectory _dir;
    private readonly Broker _broker;
    private readonly long _records;
    private readonly int _recordSize;

    private ConsumeWorkload(BenchDirectory dir, Broker broker, long records, int recordSize)
    {
        _dir = dir;
        _broker = broker;
        _records = records;
        _recordSize = recordSize;
    }

    public IReadOnlyList<string> Variants { get; } = [TryConsumeName, ConsumeName, GroupName];

    public static async Task<IScanTarget> PrepareAsync(WorkloadSettings s)
    {
        var dir = new BenchDirectory(s.Root, "consume");
        var broker = await Broker.OpenAsync(dir.Path, new BrokerOptions { GroupInitialRebalanceDelay = TimeSpan.FromMilliseconds(300) }).ConfigureAwait(false);
        await broker.Admin.CreateTopicAsync(Topic, 1).ConfigureAwait(false);
        await broker.Admin.CreateTopicAsync(GroupTopic, GroupSize).ConfigureAwait(false);
        var payload = Payload.Create(s.RecordSize);
        var perBatch = Payload.RecordsPerBatch(s.RecordSize, s.BatchBytes);
        using var builder = new RecordBatchBuilder();
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (long written = 0; written < s.Records; written += perBatch)
        {
            var batch = CommitLogContender.Encode(builder, payload, (int)Math.Min(perBatch, s.Records - written), timestamp);
            await broker.AppendAsync(Tp, batch).ConfigureAwait(false);
            var spread = CommitLogContender.Encode(builder, payload, (int)Math.Min(perBatch, s.Records - written), timestamp);
            await broker.AppendAsync(new TopicPartition(GroupTopic, (int)(written / perBatch % GroupSize)), spread).ConfigureAwait(false);
        }

        foreach (var tp in Enumerable.Range(0, GroupSize).Select(p => new TopicPartition(GroupTopic, p)).Append(Tp))
        {
            broker.TryGetPartitionLog(tp, out var log);
            await log!.FlushAsync().ConfigureAwait(false);
        }
        return new ConsumeWorkload(dir, broker, s.Records, s.RecordSize);
    }

    public Sample Scan(string variant)
    {
        var config = new ConsumerConfig(new Dictionary<string, string> { ["enable.auto.commit"] = "false" });
        if (variant == GroupName)
        {
            return ConsumeInGroup();
        }

        var meter = Meter.Start();
        long records = variant == TryConsumeName ? ConsumeIgnored(config) : ConsumeBytes(config);
        return meter.Stop($"consume {_recordSize} B", variant, records, records * _recordSize);
    }

    public async ValueTask DisposeAsync()
    {
        await _broker.DisposeAsync().ConfigureAwait(false);
        _dir.Dispose();
    }

    private long ConsumeIgnored(ConsumerConfig config)
    {
        using var consumer = _broker.CreateConsumer<Ignore, Ignore>(config);
        consumer.Assign([new TopicPartitionOffset(Tp, Offset.Beginning)]);
        long next = 0;
        while (next < _records)
        {
            if (consumer.TryConsume(out var record))
            {
                Check(record.Offset, next++);
            }
            else if (!consumer.WaitToConsumeAsync(TimeSpan.FromSeconds(10)).AsTask().GetAwaiter().GetResult())
            {
                throw new InvalidOperationException($"No record after offset {next} within 10 s.");
            }
        }

        return next;
    }

    private long ConsumeBytes(ConsumerConfig config)
    {
        using var consumer = _broker.CreateConsumer<Ignore, byte[]>(config);
        consumer.Assign([new TopicPartitionOffset(Tp, Offset.Beginning)]);
        long next = 0;
        while (next < _records)
        {
            var result = consumer.Consume(TimeSpan.FromSeconds(10)) ?? throw new InvalidOperationException($"No record after offset {next} within 10 s.");
            Check(result.Offset, next++);
            if (result.Message.Value!.Length != _recordSize)
            {
                throw new InvalidOperationException($"Record {result.Offset} has {result.Message.Value.Length} bytes, expected {_recordSize}.");
            }
        }

        return next;
    }

    private Sample ConsumeInGroup()
    {
        var config = new ConsumerConfig(new Dictionary<string, string>
        {
            ["group.id"] = $"bench-{Interlocked.Increment(ref _round)}",
            ["auto.offset.reset"] = "earliest",
            ["enable.auto.commit"] = "false",
        });
        long total = 0;
        using var done = new CancellationTokenSource();
        using var ready = new CountdownEvent(GroupSize);
        using var go = new ManualResetEventSlim();
        var members = Enumerable.Range(0, GroupSize).Select(_ => Task.Factory.StartNew(() =>
        {
            using var consumer = _broker.CreateConsumer<Ignore, Ignore>(config);
            consumer.Subscribe(GroupTopic);
            var next = new long[GroupSize];
            bool started = false;
            while (!done.IsCancellationRequested)
            {
                if (consumer.TryConsume(out var record))
                {
                    if (!started)
                    {
                        started = true;
                        ready.Signal();
                        go.Wait();
                    }

                    Check(record.Offset, next[record.TopicPartition.Partition.Value]++);
                    if (Interlocked.Increment(ref total) == _records)
                    {
                        done.Cancel();
                    }
                }
                else
                {
                    try
                    {
                        consumer.WaitToConsumeAsync(TimeSpan.FromMilliseconds(100), done.Token).AsTask().GetAwaiter().GetResult();
                    }
                    catch (OperationCanceledException) when (done.IsCancellationRequested)
                    {
                    }
                }
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        if (!ready.Wait(TimeSpan.FromMinutes(1)))
        {
            done.Cancel();
            go.Set();
            throw new InvalidOperationException($"Only {GroupSize - ready.CurrentCount} of {GroupSize} group members got records within a minute.");
        }

        var meter = Meter.Start();
        go.Set();
        if (!Task.WaitAll(members, TimeSpan.FromMinutes(2)))
        {
            throw new InvalidOperationException($"The group consumed {Interlocked.Read(ref total)} of {_records} records within 2 minutes.");
        }

        var sample = meter.Stop($"consume {_recordSize} B", GroupName, _records, _records * _recordSize);
        return Interlocked.Read(ref total) == _records ? sample
            : throw new InvalidOperationException($"The group consumed {total} records, expected {_records}.");
    }

    private static void Check(long offset, long expected)
    {
        if (offset != expected)
        {
            throw new InvalidOperationException($"Consumed offset {offset}, expected {expected}.");
        }
    }
}
