using System.Buffers.Binary;
using System.IO.Hashing;
using CommitLog.Throughput.Reporting;
using CommitLog.Throughput.Workloads;

namespace CommitLog.Throughput.Contenders;

/// <summary>
/// The plain baseline: a <see cref="FileStream"/> with a 64 KiB buffer and records framed as
/// <c>[int32 length][uint32 crc32c][payload]</c>. Append writes every record and fsyncs once at the end; the durable
/// workload serializes appenders and fsyncs after every record (no group commit); scan reads 1 MiB chunks and
/// verifies every record's CRC.
/// </summary>
internal static class FileStreamContender
{
    public const string Name = "FileStream";
    private const int FrameHeader = 8;
    private const int BufferBytes = 64 * 1024;

    public static Sample Append(WorkloadSettings s)
    {
        using var dir = new BenchDirectory(s.Root, "filestream-append");
        var payload = Payload.Create(s.RecordSize);
        using var file = Create(dir.Path);
        var meter = Meter.Start();
        for (long i = 0; i < s.Records; i++)
        {
            WriteFrame(file, payload);
        }

        file.Flush(flushToDisk: true);
        return meter.Stop($"append {s.RecordSize} B", Name, s.Records, s.Records * s.RecordSize);
    }

    public static async Task<Sample> GroupCommitAsync(WorkloadSettings s)
    {
        using var dir = new BenchDirectory(s.Root, "filestream-gc");
        var payload = Payload.Create(s.RecordSize);
        using var file = Create(dir.Path);
        using var gate = new SemaphoreSlim(1, 1);
        return await GroupCommitDriver.RunAsync(Name, s, _ => async () =>
        {
            await gate.WaitAsync().ConfigureAwait(false);
            try
            {
                WriteFrame(file, payload);
                file.Flush(flushToDisk: true);
            }
            finally
            {
                gate.Release();
            }
        }).ConfigureAwait(false);
    }

    public static IScanTarget PrepareScan(WorkloadSettings s)
    {
        var dir = new BenchDirectory(s.Root, "filestream-scan");
        var payload = Payload.Create(s.RecordSize);
        using (var file = Create(dir.Path))
        {
            for (long i = 0; i < s.Records; i++)
            {
                WriteFrame(file, payload);
            }

            file.Flush(flushToDisk: true);
        }

        return new ScanTarget(dir, s.RecordSize);
    }

    private static FileStream Create(string directory)
        => new(Path.Combine(directory, "records.dat"), FileMode.CreateNew, FileAccess.Write, FileShare.Read, BufferBytes);

    private static void WriteFrame(FileStream file, ReadOnlySpan<byte> payload)
    {
        Span<byte> header = stackalloc byte[FrameHeader];
        BinaryPrimitives.WriteInt32LittleEndian(header, payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, payload));
        file.Write(header);
        file.Write(payload);
    }

    private sealed class ScanTarget(BenchDirectory dir, int recordSize) : IScanTarget
    {
        private const int ChunkBytes = 1 << 20;

        public IReadOnlyList<string> Variants { get; } = [Name];

        public Sample Scan(string variant)
        {
            var buffer = new byte[ChunkBytes];
            long records = 0, bytes = 0;
            var meter = Meter.Start();
            using (var file = new FileStream(Path.Combine(dir.Path, "records.dat"), FileMode.Open, FileAccess.Read, FileShare.Read, 1))
            {
                var filled = 0;
                int read;
                while ((read = file.Read(buffer, filled, buffer.Length - filled)) > 0)
                {
                    filled += read;
                    var position = 0;
                    while (filled - position >= FrameHeader)
                    {
                        var length = BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(position));
                        if (filled - position < FrameHeader + length)
                        {
                            break;
                        }

                        var record = buffer.AsSpan(position + FrameHeader, length);
                        if (Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, record) != BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(position + 4)))
                        {
                            throw new InvalidDataException($"CRC mismatch in record {records}.");
                        }

                        records++;
                        bytes += length;
                        position += FrameHeader + length;
                    }

                    buffer.AsSpan(position, filled - position).CopyTo(buffer);
                    filled -= position;
                }
            }

            return meter.Stop($"scan {recordSize} B", variant, records, bytes);
        }

        public ValueTask DisposeAsync()
        {
            dir.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
