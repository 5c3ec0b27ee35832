using System.Globalization;

namespace CommitLog.Throughput;

/// <summary>Command-line settings of the harness; see <see cref="Usage"/>.</summary>
internal sealed class HarnessOptions
{
    public const string Usage = """
        usage: CommitLog.Throughput <workload> [options]
        workloads:
          all          append, groupcommit, scan (contenders interleaved round by round) and recovery; prints tables
          append       bulk append + one flush at the end (ours at the written level, 100 B and 1 KiB)
          groupcommit  concurrent appenders, each awaiting its own durable single-record append
          scan         read a filled log end to end (hot page cache)
          recovery     reopen time after a killed writer, against log size (ours only)
          alloc-check  appends N batches at the written level; exit code 1 if bytes/append exceed the budget
          producer     the producer (Produce with callbacks; ProduceAsync with many in flight) vs FasterLog Enqueue,
                       for every --partitions, --linger and --levels; --seconds per run
          consume      a consumer reads a filled partition end to end (TryConsume/Ignore and Consume/byte[]) vs FasterLog scan
          e2e          produce acks=1 (100 B, 100 k rec/s, --seconds) → tailing consumer: latency p50/p99/p99.9 (ours only)
          replication  3 cluster nodes in this process over loopback TCP (TLS + secret, Raft control plane): producer
                       acks=all vs acks=1 on the same payloads (--sizes[0], --mb, --rounds), then --cycles failovers
                       (leader node stopped → first acknowledged write on the new leader)
          read-io      pread vs memory-mapped reads of one cached file (sequential 64 KiB/1 MiB, random 4/64 KiB)
        options:
          --sizes 100,1024         record payload sizes in bytes
          --mb 256                 payload MB per append and scan run
          --batch-bytes 65536      target size of one of our encoded batches
          --appenders 1,4,64       group commit concurrency levels
          --seconds 1.5            length of one group-commit run
          --rounds 3               measured rounds (after one warm-up round)
          --partitions 1,4,16      producer: partitions of the topic
          --linger 0,5             producer: linger.ms values
          --levels acks1,flushed   producer: written level (acks=1) and/or flushed (flush.messages=1)
          --producer-sizes 100     producer: record payload sizes in bytes
          --in-flight 4096         producer: ProduceAsync results pending at once
          --contenders commitlog,fasterlog,filestream
          --recovery-sizes 64,256,1024   log sizes in MiB for the recovery workload
          --tail-mb 16             unflushed tail written before the writer is killed
          --appends 20000          alloc-check: measured appends
          --file-mb 256            read-io: size of the file in MiB
          --random-reads 100000    read-io: reads per random case
          --budgets PATH           alloc-check: allocation-budgets.json (default: found above the working directory)
          --cycles 10              replication: leader failovers measured
          --max-in-flight 5        replication: producer max.in.flight values compared (e.g. 1,5)
          --batch-size N           replication: the producers' batch.size, both acks (default: the library's, 16384)
          --session-ms N           replication: the control plane's broker session timeout (default: the library's)
          --dir PATH               root for temporary data (default: /tmp/commitlog-bench-<pid>)
        """;

    public string Workload { get; private set; } = "all";

    public int[] Sizes { get; private set; } = [100, 1024];

    public double Megabytes { get; private set; } = 256;

    public int BatchBytes { get; private set; } = 64 * 1024;

    public int[] Appenders { get; private set; } = [1, 4, 64];

    public TimeSpan Duration { get; private set; } = TimeSpan.FromSeconds(1.5);

    public int Rounds { get; private set; } = 3;

    public int[] Partitions { get; private set; } = [1, 4, 16];

    public int[] Lingers { get; private set; } = [0, 5];

    public string[] ProducerLevels { get; private set; } = ["acks1", "flushed"];

    public int[] ProducerSizes { get; private set; } = [100];

    public int InFlight { get; private set; } = 4096;

    public string[] Contenders { get; private set; } = ["commitlog", "fasterlog", "filestream"];

    public int[] RecoverySizesMb { get; private set; } = [64, 256, 1024];

    public int TailMb { get; private set; } = 16;

    public int Appends { get; private set; } = 20_000;

    public int FileMegabytes { get; private set; } = 256;

    public int RandomReads { get; private set; } = 100_000;

    public string? Budgets { get; private set; }

    public int Cycles { get; private set; } = 10;

    public TimeSpan? SessionTimeout { get; private set; }

    /// <summary>Gets the producer's max.in.flight.requests.per.connection values the replication workload compares.</summary>
    public int[] MaxInFlight { get; private set; } = [5];

    /// <summary>Gets the producers' batch.size in the replication workload, or null for the library's default.</summary>
    public int? BatchSize { get; private set; }

    public string Root { get; private set; } = Path.Combine(Path.GetTempPath(), $"commitlog-bench-{Environment.ProcessId}");

    /// <summary>Records per append or scan run for <paramref name="size"/>-byte payloads.</summary>
    public long RecordsFor(int size) => Math.Max(1, (long)(Megabytes * 1e6 / size));

    public bool Runs(string contender) => Contenders.Contains(contender, StringComparer.OrdinalIgnoreCase);

    public static HarnessOptions Parse(string[] args)
    {
        var o = new HarnessOptions();
        var i = 0;
        if (args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal))
        {
            o.Workload = args[0];
            i = 1;
        }

        for (; i < args.Length; i++)
        {
            var name = args[i];
            var value = i + 1 < args.Length ? args[++i] : throw new ArgumentException($"Option {name} needs a value.\n{Usage}");
            switch (name)
            {
                case "--sizes": o.Sizes = Ints(value, name); break;
                case "--mb": o.Megabytes = Positive(double.Parse(value, CultureInfo.InvariantCulture), name); break;
                case "--batch-bytes": o.BatchBytes = (int)Positive(int.Parse(value, CultureInfo.InvariantCulture), name); break;
                case "--appenders": o.Appenders = Ints(value, name); break;
                case "--seconds": o.Duration = TimeSpan.FromSeconds(Positive(double.Parse(value, CultureInfo.InvariantCulture), name)); break;
                case "--rounds": o.Rounds = (int)Positive(int.Parse(value, CultureInfo.InvariantCulture), name); break;
                case "--partitions": o.Partitions = Ints(value, name); break;
                case "--linger": o.Lingers = [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(v => int.Parse(v, CultureInfo.InvariantCulture))]; break;
                case "--levels": o.ProducerLevels = Levels(value, name); break;
                case "--producer-sizes": o.ProducerSizes = Ints(value, name); break;
                case "--in-flight": o.InFlight = (int)Positive(int.Parse(value, CultureInfo.InvariantCulture), name); break;
                case "--contenders": o.Contenders = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); break;
                case "--recovery-sizes": o.RecoverySizesMb = Ints(value, name); break;
                case "--tail-mb": o.TailMb = (int)Positive(int.Parse(value, CultureInfo.InvariantCulture), name); break;
                case "--appends": o.Appends = (int)Positive(int.Parse(value, CultureInfo.InvariantCulture), name); break;
                case "--file-mb": o.FileMegabytes = (int)Positive(int.Parse(value, CultureInfo.InvariantCulture), name); break;
                case "--random-reads": o.RandomReads = (int)Positive(int.Parse(value, CultureInfo.InvariantCulture), name); break;
                case "--budgets": o.Budgets = value; break;
                case "--session-ms": o.SessionTimeout = TimeSpan.FromMilliseconds(Positive(int.Parse(value, CultureInfo.InvariantCulture), name)); break;
                case "--max-in-flight": o.MaxInFlight = Ints(value, name); break;
                case "--batch-size": o.BatchSize = (int)Positive(int.Parse(value, CultureInfo.InvariantCulture), name); break;
                case "--cycles": o.Cycles = (int)Positive(int.Parse(value, CultureInfo.InvariantCulture), name); break;
                case "--dir": o.Root = Path.GetFullPath(value); break;
                default: throw new ArgumentException($"Unknown option '{name}'.\n{Usage}");
            }
        }

        return o;
    }

    private static int[] Ints(string value, string name)
        => [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(v => (int)Positive(int.Parse(v, CultureInfo.InvariantCulture), name))];

    private static string[] Levels(string value, string name)
    {
        var levels = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return levels.All(l => l is "acks1" or "flushed")
            ? levels
            : throw new ArgumentException($"{name} takes acks1 and/or flushed, got '{value}'.");
    }

    private static double Positive(double value, string name)
        => value > 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive.");
}
