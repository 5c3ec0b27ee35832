using System.Buffers.Binary;
using System.IO.Hashing;
using System.Numerics;
using BenchmarkDotNet.Attributes;

namespace CommitLog.Benchmarks.Format;

/// <summary>
/// CRC-32C (Castagnoli, the RecordBatch v2 checksum): System.IO.Hashing (what the log uses) against a plain loop over
/// <see cref="BitOperations.Crc32C(uint, ulong)"/> (the SSE4.2/ARM crc32 instruction, 8 bytes per step).
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory(BenchmarkCategories.Format)]
public class Crc32CBenchmarks
{
    private byte[] _data = [];

    [Params(100, 1500, 64 * 1024, 1024 * 1024)]
    public int Bytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = new byte[Bytes];
        new Random(7).NextBytes(_data);
        if (SystemIoHashing() != BitOperationsLoop())
        {
            throw new InvalidOperationException("The two CRC-32C implementations disagree.");
        }

        // The published check value of CRC-32C over "123456789".
        if (Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, "123456789"u8) != 0xE3069283 || Loop("123456789"u8) != 0xE3069283)
        {
            throw new InvalidOperationException("CRC-32C check value mismatch.");
        }
    }

    [Benchmark(Baseline = true)]
    public uint SystemIoHashing() => Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, _data);

    [Benchmark]
    public uint BitOperationsLoop() => Loop(_data);

    private static uint Loop(ReadOnlySpan<byte> data)
    {
        var crc = uint.MaxValue;
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return ~crc;
    }
}
