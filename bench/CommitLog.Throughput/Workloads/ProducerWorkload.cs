using System.Diagnostics;
using System.Globalization;
using CommitLog.Storage;
using CommitLog.Throughput.Reporting;

namespace CommitLog.Throughput.Workloads;

/// <summary>
/// Issue 3's producer throughput: a broker on a real directory, one topic of <see cref="ProducerCase.Partitions"/>
/// partitions, one <c>IProducer&lt;Null, byte[]&gt;</c> with <c>acks=1</c> and the case's <c>linger.ms</c> (other
/// settings at their defaults: batch.size 16384, buffer.memory 32 MiB, sticky partitioning of keyless records).
/// The topic is at the written level (<c>FlushPolicy.Os</c>) or the flushed level (<c>flush.messages=1</c>,
/// group-committed). Each run first produces for <see cref="WarmUp"/> and flushes (not measured: the producer's pools
/// and the partitions' senders fill), then records are produced for <see cref="WorkloadSettings.Duration"/>, then the producer is flushed;
/// the time includes the flush. One <see cref="Message{TKey, TValue}"/> holding one payload array is reused for every
/// record (the user's own objects), so allocation per record is the producer's and the broker's own.
/// Every record's report must be a success at the case's durability, or the run fails.
/// </summary>
internal static class ProducerWorkload
{
    public const string CallbackName = "CommitLog producer (callback)";
    public const string AsyncName = "CommitLog producer (async)";
    private const string Topic = "bench";

    /// <summary>
    /// Gets the unmeasured warm-up at the start of every run (FasterLog's runs warm up as long): long enough for a
    /// fire-and-forget producer to fill <c>buffer.memory</c> (32 MiB) at least once, so its batch pool is at working size.
    /// </summary>
    public static TimeSpan WarmUp { get; } = TimeSpan.FromSeconds(0.5);

    /// <summary>Returns the table heading of one case; FasterLog's runs of the case use the same one.</summary>
    public static string WorkloadName(WorkloadSettings s, ProducerCase c)
        => $"produce {s.RecordSize} B, {c.Partitions} partition{(c.Partitions == 1 ? string.Empty : "s")}, " +
           $"linger {c.LingerMs} ms, {(c.Flushed ? "flushed" : "acks 1")}";

    /// <summary>
    /// Fire-and-forget: <c>Produce</c> with one delivery handler for every record (the handler counts and checks the
    /// reports), then <c>FlushAsync</c>.
    /// </summary>
    public static Task<Sample> CallbackAsync(WorkloadSettings s, ProducerCase c) => RunAsync(s, c, awaited: false);

    /// <summary>
    /// Awaited with many in flight: <c>ProduceAsync</c> into a ring of <see cref="ProducerCase.InFlight"/> pending
    /// results; when the ring is full the oldest is awaited (and checked) before the next record is produced.
    /// </summary>
    public static Task<Sample> AwaitedAsync(WorkloadSettings s, ProducerCase c) => RunAsync(s, c, awaited: true);

    private static async Task<Sample> RunAsync(WorkloadSettings s, ProducerCase c, bool awaited)
    {
        using var dir = new BenchDirectory(s.Root, awaited ? "producer-async" : "producer-callback");
        var broker = await Broker.OpenAsync(dir.Path).ConfigureAwait(false);
        await using (broker.ConfigureAwait(false))
        {
            var topicConfig = new TopicConfig(c.Flushed ? [new("flush.messages", "1")] : []);
            await broker.Admin.CreateTopicAsync(Topic, c.Partitions, topicConfig).ConfigureAwait(false);
            var config = new ProducerConfig(new Dictionary<string, string>
            {
                ["acks"] = "1",
                ["linger.ms"] = c.LingerMs.ToString(CultureInfo.InvariantCulture),
            });
            var producer = broker.CreateProducer<Null, byte[]>(config);
            await using (producer.ConfigureAwait(false))
            {
                var message = new Message<Null, byte[]> { Value = Payload.Create(s.RecordSize) };
                var ring = new ValueTask<DeliveryResult<Null, byte[]>>[c.InFlight];
                var warmUp = new DeliveryTally(c.Flushed ? Durability.Flushed : Durability.Written);
                var warmed = await ProduceAsync(producer, message, ring, warmUp, awaited, WarmUp).ConfigureAwait(false);
                await producer.FlushAsync().ConfigureAwait(false);
                warmUp.Check(warmed);
                var tally = new DeliveryTally(c.Flushed ? Durability.Flushed : Durability.Written);
                var meter = Meter.Start();
                var produced = await ProduceAsync(producer, message, ring, tally, awaited, s.Duration).ConfigureAwait(false);
                await producer.FlushAsync().ConfigureAwait(false);
                var sample = meter.Stop(WorkloadName(s, c), awaited ? AsyncName : CallbackName, produced, produced * s.RecordSize);
                tally.Check(produced);
                return sample;
            }
        }
    }

    private static Task<long> ProduceAsync(
        IProducer<Null, byte[]> producer, Message<Null, byte[]> message, ValueTask<DeliveryResult<Null, byte[]>>[] ring,
        DeliveryTally tally, bool awaited, TimeSpan duration)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        return awaited
            ? ProduceAwaitedAsync(producer, message, ring, tally, deadline)
            : Task.FromResult(ProduceWithCallbacks(producer, message, tally.OnDelivery, deadline));
    }

    private static long ProduceWithCallbacks(
        IProducer<Null, byte[]> producer, Message<Null, byte[]> message, Action<DeliveryReport<Null, byte[]>> handler, long deadline)
    {
        long produced = 0;
        do
        {
            for (var i = 0; i < 256; i++)
            {
                producer.Produce(Topic, message, handler);
            }

            produced += 256;
        }
        while (Stopwatch.GetTimestamp() < deadline);

        return produced;
    }

    private static async Task<long> ProduceAwaitedAsync(
        IProducer<Null, byte[]> producer, Message<Null, byte[]> message, ValueTask<DeliveryResult<Null, byte[]>>[] ring,
        DeliveryTally tally, long deadline)
    {
        long produced = 0;
        do
        {
            for (var i = 0; i < 256; i++, produced++)
            {
                var slot = (int)(produced % ring.Length);
                if (produced >= ring.Length)
                {
                    tally.OnResult(await ring[slot].ConfigureAwait(false));
                }

                ring[slot] = producer.ProduceAsync(Topic, message);
            }
        }
        while (Stopwatch.GetTimestamp() < deadline);

        for (var k = Math.Max(0, produced - ring.Length); k < produced; k++)
        {
            tally.OnResult(await ring[(int)(k % ring.Length)].ConfigureAwait(false));
        }

        return produced;
    }

    /// <summary>Counts delivered records and remembers the first one that failed or fell short of the durability.</summary>
    private sealed class DeliveryTally(Durability expected)
    {
        private long _delivered;
        private string? _problem;

        public void OnDelivery(DeliveryReport<Null, byte[]> report)
        {
            if (report.Error is not null || report.Durability < expected)
            {
                Interlocked.CompareExchange(ref _problem, $"{report.TopicPartitionOffset}: {report.Durability}, {report.Error}", null);
            }

            Interlocked.Increment(ref _delivered);
        }

        public void OnResult(DeliveryResult<Null, byte[]> result)
        {
            if (result.Durability < expected)
            {
                _problem ??= $"{result.TopicPartitionOffset}: {result.Durability}";
            }

            _delivered++;
        }

        public void Check(long produced)
        {
            var delivered = Interlocked.Read(ref _delivered);
            if (_problem is not null || delivered != produced)
            {
                throw new InvalidOperationException(
                    $"Produced {produced} records, {delivered} reported; expected every one at {expected} or better. First problem: {_problem ?? "none"}");
            }
        }
    }
}
