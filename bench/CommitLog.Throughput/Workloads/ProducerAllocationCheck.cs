using System.Diagnostics.Tracing;
using System.Globalization;
using CommitLog.Storage;

namespace CommitLog.Throughput.Workloads;

/// <summary>
/// The producer's part of <c>alloc-check</c>: bytes allocated per record (all threads: the caller, the partitions'
/// senders, the broker and the log) by a producer in steady state, 100 B records, acks 1. One message object holding one
/// payload array is reused (the user's own objects). Steady state: every partition has rolled once (the log's index
/// arrays are at working size) and the producer's pools are filled by a warm-up that fills <c>buffer.memory</c> (2 MiB
/// here) many times over, so the batch pool holds what the peak needs (at most 2 × buffer.memory / batch.size batches). Each trial produces
/// <see cref="HarnessOptions.Appends"/> × 10 records and flushes, so per-batch costs are spread as in real use; of three
/// trials the smallest counts. Allocation ticks (the runtime samples one per ~100 KB allocated) name the types that
/// allocated during the trials, printed for a case that allocates, to find what to remove.
/// </summary>
internal static class ProducerAllocationCheck
{
    public const string CallbackBudget = "IProducer.Produce(callback): acks 1, linger 5 ms, 4 partitions";
    public const string NoCallbackBudget = "IProducer.Produce(no callback): acks 1, linger 5 ms, 4 partitions";
    public const string Linger0Budget = "IProducer.Produce(callback): acks 1, linger 0 ms, 1 partition";
    public const string FlushedDiagnostic = "diagnostic: IProducer.Produce(callback): flushed (flush.messages=1), linger 5 ms, 4 partitions";
    public const string AwaitedDiagnostic = "diagnostic: IProducer.ProduceAsync awaited, 1024 in flight (a DeliveryResult per record is the API's)";
    private const string Topic = "alloc";

    /// <summary>A buffer the warm-up fills many times over, so the producer's batch pool reaches its bound before measuring.</summary>
    private const int BufferMemory = 2 << 20;

    public static async Task MeasureAsync(HarnessOptions options, Dictionary<string, double> measured)
    {
        int records = options.Appends * 10;
        Action<DeliveryReport<Null, byte[]>> handler = static _ => { };
        measured[CallbackBudget] = await MeasureCaseAsync(options, 4, 5, records, (p, m) => p.Produce(Topic, m, handler)).ConfigureAwait(false);
        measured[NoCallbackBudget] = await MeasureCaseAsync(options, 4, 5, records, (p, m) => p.Produce(Topic, m)).ConfigureAwait(false);
        measured[Linger0Budget] = await MeasureCaseAsync(options, 1, 0, records, (p, m) => p.Produce(Topic, m, handler)).ConfigureAwait(false);
        measured[FlushedDiagnostic] = await MeasureCaseAsync(options, 4, 5, records, (p, m) => p.Produce(Topic, m, handler), flushed: true)
            .ConfigureAwait(false);
        var ring = new ValueTask<DeliveryResult<Null, byte[]>>[1024];
        long n = 0;
        measured[AwaitedDiagnostic] = await MeasureCaseAsync(options, 4, 5, records, (p, m) =>
        {
            int slot = (int)(n++ % ring.Length);
            if (n > ring.Length)
            {
                SpinWait spin = default;
                while (!ring[slot].IsCompleted)
                {
                    spin.SpinOnce();
                }

                _ = ring[slot].Result;
            }

            ring[slot] = p.ProduceAsync(Topic, m);
        }).ConfigureAwait(false);
    }

    private static async Task<double> MeasureCaseAsync(
        HarnessOptions options, int partitions, int lingerMs, int records, Action<IProducer<Null, byte[]>, Message<Null, byte[]>> produce,
        bool flushed = false)
    {
        double bytes = await MeasureCaseAsync(options, partitions, lingerMs, records, produce, flushed, trace: false).ConfigureAwait(false);
        if (bytes >= 1)
        {
            // Again with the allocation ticks on (the listener allocates a little itself), to name what allocates.
            _ = await MeasureCaseAsync(options, partitions, lingerMs, records, produce, flushed, trace: true).ConfigureAwait(false);
        }

        return bytes;
    }

    private static async Task<double> MeasureCaseAsync(
        HarnessOptions options, int partitions, int lingerMs, int records, Action<IProducer<Null, byte[]>, Message<Null, byte[]>> produce,
        bool flushed, bool trace)
    {
        using var dir = new BenchDirectory(options.Root, "alloc-check-producer");
        var broker = await Broker.OpenAsync(dir.Path).ConfigureAwait(false);
        await using (broker.ConfigureAwait(false))
        {
            List<KeyValuePair<string, string>> topicConfig = [new("segment.bytes", (4 << 20).ToString(CultureInfo.InvariantCulture))];
            if (flushed)
            {
                topicConfig.Add(new("flush.messages", "1"));
            }

            await broker.Admin.CreateTopicAsync(Topic, partitions, new TopicConfig(topicConfig)).ConfigureAwait(false);
            var config = new ProducerConfig(new Dictionary<string, string>
            {
                ["acks"] = "1",
                ["linger.ms"] = lingerMs.ToString(CultureInfo.InvariantCulture),
                ["buffer.memory"] = BufferMemory.ToString(CultureInfo.InvariantCulture),
            });
            var producer = broker.CreateProducer<Null, byte[]>(config);
            await using (producer.ConfigureAwait(false))
            {
                var message = new Message<Null, byte[]> { Value = Payload.Create(100) };
                int warmUp = 0;
                while (warmUp++ < 3 || !Enumerable.Range(0, partitions).All(p => SegmentCount(broker, p) >= 2))
                {
                    for (int i = 0; i < records / 2; i++)
                    {
                        produce(producer, message);
                    }

                    await producer.FlushAsync().ConfigureAwait(false);
                }

                using AllocationTicks? ticks = trace ? new AllocationTicks() : null;
                const int Trials = 3;
                var best = double.MaxValue;
                for (int trial = 0; trial < Trials; trial++)
                {
                    var before = GC.GetTotalAllocatedBytes(precise: true);
                    for (int i = 0; i < records; i++)
                    {
                        produce(producer, message);
                    }

                    await producer.FlushAsync().ConfigureAwait(false);
                    best = Math.Min(best, (double)(GC.GetTotalAllocatedBytes(precise: true) - before) / records);
                }

                if (ticks is not null)
                {
                    Console.WriteLine($"  {(flushed ? "flushed, " : string.Empty)}{partitions} partition(s), linger {lingerMs} ms: allocation ticks during the trials (type: sampled bytes): {ticks.Describe()}");
                }

                return best;
            }
        }
    }

    private static int SegmentCount(Broker broker, int partition)
        => broker.TryGetPartitionLog(new TopicPartition(Topic, partition), out PartitionLog? log) ? log.SegmentCount : 0;

    /// <summary>Listens to the runtime's allocation ticks and sums the sampled bytes per type.</summary>
    private sealed class AllocationTicks : EventListener
    {
        private readonly Dictionary<string, long> _bytes = [];
        private readonly Lock _gate = new();

        public string Describe()
        {
            lock (_gate)
            {
                return _bytes.Count == 0
                    ? "none sampled"
                    : string.Join(", ", _bytes.OrderByDescending(p => p.Value).Take(8).Select(p => $"{p.Key}: {p.Value}"));
            }
        }

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword: includes GCAllocationTick
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || eventData.PayloadNames is null)
            {
                return;
            }

            int typeIndex = eventData.PayloadNames.IndexOf("TypeName");
            int amountIndex = eventData.PayloadNames.IndexOf("AllocationAmount64");
            string type = typeIndex >= 0 ? eventData.Payload![typeIndex] as string ?? "?" : "?";
            long amount = amountIndex >= 0 ? Convert.ToInt64(eventData.Payload![amountIndex], CultureInfo.InvariantCulture) : 0;
            lock (_gate)
            {
                _bytes[type] = _bytes.GetValueOrDefault(type) + amount;
            }
        }
    }
}
