using System.Globalization;
using CommitLog.Throughput.Reporting;

namespace CommitLog.Throughput.Workloads;

/// <summary>
/// pread against memory-mapped reads (issue 2: "choose pread vs memory-mapped reads by measurement"). One real file
/// of <see cref="HarnessOptions.FileMegabytes"/> MiB is written, flushed and read once so that it is in the page
/// cache; then every round reads it sequentially in 64 KiB and 1 MiB chunks and at <see cref="HarnessOptions.RandomReads"/>
/// random aligned positions in 4 KiB and 64 KiB chunks, by each method in turn (the order rotating from round to
/// round, after one unrecorded warm-up round). Methods that see the same bytes must agree on their checksum.
/// </summary>
internal static class ReadIoWorkload
{
    private const string Pread = "pread → pooled byte[]";
    private const string PreadCrc = "pread → pooled byte[] + CRC";
    private const string MappedCopy = "mmap → pooled byte[]";
    private const string MappedCopyCrc = "mmap → pooled byte[] + CRC";
    private const string MappedInPlace = "mmap in place, CRC only";
    private const string FreshView = "mmap in place, new view per pass";

    public static void Run(HarnessOptions options)
    {
        using var dir = new BenchDirectory(options.Root, "read-io");
        var path = Path.Combine(dir.Path, "00000000000000000000.log");
        var length = options.FileMegabytes * 1024L * 1024;
        WriteAndWarm(path, length);
        using var file = new ReadIoFile(path);
        var cases = new List<ReadCase>
        {
            ReadCase.Sequential(length, 64 * 1024),
            ReadCase.Sequential(length, 1024 * 1024),
            ReadCase.Random(length, 4 * 1024, options.RandomReads),
            ReadCase.Random(length, 64 * 1024, options.RandomReads),
        };
        var methods = new List<(string Name, bool Crc, Func<ReadCase, ulong> Read)>
        {
            (Pread, false, c => file.Pread(c.Positions, c.Chunk, crc: false)),
            (MappedCopy, false, c => file.MappedCopy(c.Positions, c.Chunk, crc: false)),
            (PreadCrc, true, c => file.Pread(c.Positions, c.Chunk, crc: true)),
            (MappedCopyCrc, true, c => file.MappedCopy(c.Positions, c.Chunk, crc: true)),
            (MappedInPlace, true, c => file.MappedInPlace(c.Positions, c.Chunk)),
            (FreshView, true, c => file.FreshViewInPlace(c.Positions, c.Chunk)),
        };

        Console.WriteLine($"read-io: {options.FileMegabytes} MiB file in the page cache, {options.Rounds} rounds after one warm-up round, load average {MachineInfo.LoadAverage()}");
        var samples = new List<Sample>();
        for (var round = -1; round < options.Rounds; round++)
        {
            foreach (var c in cases)
            {
                var checksums = new Dictionary<bool, ulong>();
                for (var k = 0; k < methods.Count; k++)
                {
                    var (name, crc, read) = methods[(k + Math.Max(round, 0)) % methods.Count];
                    var meter = Meter.Start();
                    var checksum = read(c);
                    var sample = meter.Stop(c.Name, name, c.Positions.Length, c.Bytes);
                    if (checksums.TryGetValue(crc, out var expected) && expected != checksum)
                    {
                        throw new InvalidOperationException($"{c.Name}: '{name}' saw checksum {checksum:x} but another method with the same work saw {expected:x}.");
                    }

                    checksums[crc] = checksum;
                    if (round >= 0)
                    {
                        samples.Add(sample);
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"  round {round + 1} {c.Name,-22} {name,-34} {sample.MegabytesPerSecond / 1000,6:F2} GB/s CPU {sample.CpuPercent,4:F0} %"));
                    }
                }
            }
        }

        Print(cases, methods.Select(m => (m.Name, m.Crc)).ToList(), samples);
    }

    private static void WriteAndWarm(string path, long length)
    {
        var block = Payload.Create(1024 * 1024);
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 0))
        {
            for (long written = 0; written < length; written += block.Length)
            {
                stream.Write(block.AsSpan(0, (int)Math.Min(block.Length, length - written)));
            }

            stream.Flush(flushToDisk: true);
        }

        // One pass to be sure every page is cached (the write already put it there).
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        for (long position = 0; position < length;)
        {
            position += RandomAccess.Read(handle, block, position);
        }
    }

    private static void Print(List<ReadCase> cases, List<(string Name, bool Crc)> methods, List<Sample> samples)
    {
        Console.WriteLine();
        Console.WriteLine("### read-io: pread against memory-mapped reads (hot page cache, one thread; GB = 10^9 bytes)");
        Console.WriteLine("| reads | method | GB/s (median) | range | CPU % | µs/read | ÷ pread, same work |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        var ratios = new Dictionary<(string Case, string Method), double>();
        foreach (var c in cases)
        {
            foreach (var (name, crc) in methods)
            {
                var list = samples.Where(s => s.Workload == c.Name && s.Contender == name).ToList();
                var baseline = samples.Where(s => s.Workload == c.Name && s.Contender == (crc ? PreadCrc : Pread)).ToList();
                var gbs = ResultTable.Median(list, s => s.MegabytesPerSecond) / 1000;
                var ratio = gbs / (ResultTable.Median(baseline, s => s.MegabytesPerSecond) / 1000);
                ratios[(c.Name, name)] = ratio;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {c.Name} | {name} | {gbs:F2} | {list.Min(s => s.MegabytesPerSecond) / 1000:F2}–{list.Max(s => s.MegabytesPerSecond) / 1000:F2} " +
                    $"| {ResultTable.Median(list, s => s.CpuPercent):F0} | {ResultTable.Median(list, s => s.Seconds * 1e6 / s.Records):F2} | {ratio:F2}x |"));
            }
        }

        Console.WriteLine();
        Console.WriteLine("Conclusion (ratios of medians; the log today = pread + CRC, a consumer needs bytes it can keep = mmap + copy + CRC):");
        foreach (var c in cases)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"- {c.Name}: mmap + copy + CRC {ratios[(c.Name, MappedCopyCrc)]:F2}x pread + CRC; in place {ratios[(c.Name, MappedInPlace)]:F2}x; " +
                $"in place with a new view per pass {ratios[(c.Name, FreshView)]:F2}x; copy alone {ratios[(c.Name, MappedCopy)]:F2}x"));
        }

        var sequential = cases.Where(c => c.IsSequential).Select(c => ratios[(c.Name, MappedCopyCrc)]).ToList();
        Console.WriteLine(sequential.Max() < 1.15
            ? $"- the log's reads (sequential ranges, copied out and CRC-verified): mmap gains at most {(sequential.Max() - 1) * 100:F0} % here: keep pread."
            : $"- the log's reads (sequential ranges, copied out and CRC-verified): mmap gains up to {(sequential.Max() - 1) * 100:F0} % here: worth weighing against its failure modes.");
    }

    /// <summary>One access pattern: <see cref="Chunk"/> bytes at each of <see cref="Positions"/>.</summary>
    private sealed record ReadCase(string Name, int Chunk, long[] Positions, bool IsSequential)
    {
        public long Bytes => (long)Chunk * Positions.Length;

        public static ReadCase Sequential(long length, int chunk)
            => new($"sequential {Size(chunk)}", chunk, [.. Enumerable.Range(0, (int)(length / chunk)).Select(i => (long)i * chunk)], true);

        public static ReadCase Random(long length, int chunk, int reads)
        {
            var random = new Random(7 + chunk);
            return new(string.Create(CultureInfo.InvariantCulture, $"random {Size(chunk)} ×{reads:N0}"), chunk, [.. Enumerable.Range(0, reads).Select(_ => random.NextInt64(length / chunk) * chunk)], false);
        }

        private static string Size(int bytes) => bytes >= 1024 * 1024 ? $"{bytes / (1024 * 1024)} MiB" : $"{bytes / 1024} KiB";
    }
}
