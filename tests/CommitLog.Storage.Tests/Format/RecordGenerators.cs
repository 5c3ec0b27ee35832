using FsCheck;
using FsCheck.Fluent;

namespace CommitLog.Storage.Tests.Format;

/// <summary>A record as the tests model it: plain arrays, null meaning null.</summary>
public sealed record TestRecord(long Timestamp, byte[]? Key, byte[]? Value, (string Key, byte[]? Value)[] Headers);

/// <summary>The input of one batch: records plus header settings.</summary>
public sealed record TestBatch(TestRecord[] Records, long ProducerId, short ProducerEpoch, int BaseSequence, bool Transactional)
{
    public override string ToString()
        => $"{Records.Length} records, sizes [{string.Join(",", Records.Select(r => $"{r.Key?.Length ?? -1}/{r.Value?.Length ?? -1}/{r.Headers.Length}"))}], pid {ProducerId}";
}

/// <summary>FsCheck generators for record batches: null/empty/small/large payloads, headers and wild timestamps.</summary>
public static class RecordGenerators
{
    private static readonly Gen<long> AnyLong =
        Gen.Choose(int.MinValue, int.MaxValue).Two().Select(t => ((long)t.Item1 << 32) | (uint)t.Item2);

    private static readonly Gen<byte[]?> Bytes = Gen.Frequency(
        (2, Gen.Constant<byte[]?>(null)),
        (2, Gen.Constant<byte[]?>([])),
        (8, Gen.Choose(1, 64).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), n)).Select(a => (byte[]?)a)),
        (1, Gen.Choose(1_000, 70_000).SelectMany(Payload)));

    private static readonly Gen<string> HeaderKey = Gen.Choose(0, 12)
        .SelectMany(n => Gen.ArrayOf(Gen.Frequency((6, Gen.Choose(0x20, 0x7E)), (1, Gen.Choose(0xA0, 0xD7FF))).Select(c => (char)c), n))
        .Select(chars => new string(chars));

    private static readonly Gen<(string, byte[]?)> Header = HeaderKey.Zip(Bytes).Select(t => (t.Item1, t.Item2));

    /// <summary>Arbitrary batches of 1 to 40 records.</summary>
    public static Arbitrary<TestBatch> Batches() => Arb.From(BatchGen());

    /// <summary>A generator of batches.</summary>
    public static Gen<TestBatch> BatchGen()
    {
        Gen<long> baseTime = Gen.Frequency(
            (6, Gen.Choose(0, 1_000_000).Select(x => 1_700_000_000_000L + x)),
            (1, Gen.Constant(-1L)),
            (1, AnyLong));
        Gen<long> delta = Gen.Frequency((6, Gen.Choose(-5_000, 5_000).Select(x => (long)x)), (1, AnyLong));
        Gen<(string, byte[]?)[]> headers = Gen.Frequency(
            (3, Gen.Constant(Array.Empty<(string, byte[]?)>())),
            (1, Gen.Choose(1, 4).SelectMany(n => Gen.ArrayOf(Header, n))));
        Gen<TestRecord> record(long t0) =>
            from d in delta
            from k in Bytes
            from v in Bytes
            from h in headers
            select new TestRecord(unchecked(t0 + d), k, v, h);

        return from t0 in baseTime
               from n in Gen.Choose(1, 40)
               from records in Gen.ArrayOf(record(t0), n)
               from idempotent in Gen.Elements(true, false)
               from pid in Gen.Choose(0, int.MaxValue)
               from epoch in Gen.Choose(0, short.MaxValue)
               from seq in Gen.Choose(0, int.MaxValue)
               from txn in Gen.Elements(true, false)
               select idempotent
                   ? new TestBatch(records, pid, (short)epoch, seq, txn)
                   : new TestBatch(records, -1, -1, -1, false);
    }

    /// <summary>A large payload: compressible runs mixed with random bytes, so every codec has real work.</summary>
    private static Gen<byte[]?> Payload(int size) => Gen.Choose(0, int.MaxValue).Select(seed =>
    {
        var random = new Random(seed);
        var bytes = new byte[size];
        for (int i = 0; i < size; i += 64)
        {
            Span<byte> chunk = bytes.AsSpan(i, Math.Min(64, size - i));
            if (random.Next(2) == 0)
            {
                random.NextBytes(chunk);
            }
            else
            {
                chunk.Fill((byte)random.Next(256));
            }
        }

        return (byte[]?)bytes;
    });
}
