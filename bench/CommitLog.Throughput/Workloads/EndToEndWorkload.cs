using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using CommitLog.Throughput.Reporting;

namespace CommitLog.Throughput.Workloads;

/// <summary>
/// Issue 4's end-to-end latency: a broker on a real directory, one partition, an <c>IProducer&lt;Null, byte[]&gt;</c> with
/// <c>acks=1</c> and <c>linger.ms=0</c> producing 100 B records at a fixed rate (<see cref="Rate"/>, paced by
/// spinning on the stopwatch), each carrying its send time, and a tailing consumer (assigned at the end, waiting on
/// <c>WaitToConsumeAsync</c>, taking records with <c>TryConsume</c>) that records now minus send time per record in a
/// latency histogram. The producer runs on its own thread; the rate, duration and every record's arrival are checked.
/// </summary>
internal static class EndToEndWorkload
{
    public const string Name = "CommitLog produce acks=1 → tailing consumer";
    private const string Topic = "e2e";

    /// <summary>Gets the target rate in records per second.</summary>
    public static int Rate { get; set; } = 100_000;

    public static async Task<Sample> RunAsync(WorkloadSettings s)
    {
        using var dir = new BenchDirectory(s.Root, "e2e");
        var broker = await Broker.OpenAsync(dir.Path).ConfigureAwait(false);
        await using (broker.ConfigureAwait(false))
        {
            await broker.Admin.CreateTopicAsync(Topic, 1).ConfigureAwait(false);
            var tp = new TopicPartition(Topic, 0);
            var producer = broker.CreateProducer<Null, byte[]>(new ProducerConfig(new Dictionary<string, string>
            {
                ["acks"] = "1", ["linger.ms"] = "0", ["enable.idempotence"] = "false",
            }));
            var consumer = broker.CreateConsumer<Ignore, long>(
                new ConsumerConfig(new Dictionary<string, string> { ["auto.offset.reset"] = "latest", ["enable.auto.commit"] = "false" }),
                new SendTimeDeserializer());
            await using (producer.ConfigureAwait(false))
            await using (consumer.ConfigureAwait(false))
            {
                consumer.Assign([tp]);
                long total = (long)(Rate * s.Duration.TotalSeconds);
                var histogram = new LatencyHistogram();
                var tailing = Task.Factory.StartNew(() => Tail(consumer, histogram, total), TaskCreationOptions.LongRunning);
                var meter = Meter.Start();
                var producing = Task.Factory.StartNew(() => Produce(producer, tp, total, s.RecordSize), TaskCreationOptions.LongRunning);
                await producing.ConfigureAwait(false);
                await tailing.ConfigureAwait(false);
                var workload = string.Create(CultureInfo.InvariantCulture, $"e2e {s.RecordSize} B at {Rate / 1000} k rec/s");
                return meter.Stop(workload, Name, total, total * s.RecordSize, histogram);
            }
        }
    }

    private static void Produce(IProducer<Null, byte[]> producer, TopicPartition tp, long total, int size)
    {
        var payloads = new byte[1024][];
        for (int i = 0; i < payloads.Length; i++)
        {
            payloads[i] = new byte[Math.Max(size, 8)];
        }

        var messages = payloads.Select(p => new Message<Null, byte[]> { Value = p }).ToArray();
        double ticksPerRecord = (double)Stopwatch.Frequency / Rate;
        long start = Stopwatch.GetTimestamp();
        for (long i = 0; i < total; i++)
        {
            long due = start + (long)(i * ticksPerRecord);
            while (Stopwatch.GetTimestamp() < due)
            {
                Thread.SpinWait(10);
            }

            // The payload array is reused after 1024 records; a record is appended long before that (acks=1, linger 0).
            var message = messages[i % messages.Length];
            BinaryPrimitives.WriteInt64LittleEndian(message.Value, Stopwatch.GetTimestamp());
            producer.Produce(tp, message);
        }

        producer.Flush(TimeSpan.FromSeconds(30));
    }

    private static void Tail(IConsumer<Ignore, long> consumer, LatencyHistogram histogram, long total)
    {
        long received = 0;
        while (received < total)
        {
            if (consumer.TryConsume(out var record))
            {
                histogram.RecordTicks(Stopwatch.GetTimestamp() - record.Value);
                received++;
            }
            else if (!consumer.WaitToConsumeAsync(TimeSpan.FromSeconds(10)).AsTask().GetAwaiter().GetResult())
            {
                throw new InvalidOperationException($"The tailing consumer got {received} of {total} records; nothing arrived for 10 s.");
            }
        }
    }

    /// <summary>Reads the send time from the first 8 bytes of the value, without allocating.</summary>
    private sealed class SendTimeDeserializer : IDeserializer<long>
    {
        public long Deserialize(ReadOnlySequence<byte> data, bool isNull, SerializationContext context)
        {
            Span<byte> head = stackalloc byte[8];
            data.Slice(0, 8).CopyTo(head);
            return BinaryPrimitives.ReadInt64LittleEndian(head);
        }
    }
}
