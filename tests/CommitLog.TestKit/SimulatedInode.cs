namespace CommitLog.TestKit;

/// <summary>
/// The content of one simulated file: the volatile bytes (every completed write), the durable bytes (as of the
/// last successful flush) and the changes in between, in order, so that a crash can keep any prefix or subset of them.
/// Not thread-safe: <see cref="SimulatedStorage"/> serializes every call.
/// </summary>
internal sealed class SimulatedInode
{
    private const int PageSize = 4096;
    private const int SectorSize = 512;
    private readonly List<PendingChange> _pending = [];
    private byte[] _data;
    private byte[] _durable;
    private List<(long Start, long End)>? _lost;

    internal SimulatedInode(byte[] content)
    {
        _data = (byte[])content.Clone();
        Length = content.Length;
        _durable = (byte[])content.Clone();
    }

    internal long Length { get; private set; }

    internal int OpenCount { get; set; }

    internal int Read(long position, Span<byte> destination)
    {
        if (position >= Length)
        {
            return 0;
        }

        int count = (int)Math.Min(destination.Length, Length - position);
        _data.AsSpan((int)position, count).CopyTo(destination);
        return count;
    }

    internal void Write(long position, ReadOnlySpan<byte> source)
    {
        _pending.Add(new PendingChange(position, source.ToArray(), 0));
        Apply(ref _data, Length, position, source, out long length);
        Length = length;
    }

    internal void SetLength(long length)
    {
        _pending.Add(new PendingChange(0, null, length));
        Resize(ref _data, Length, length);
        Length = length;
    }

    /// <summary>A successful flush: the volatile content becomes durable, except the ranges a failed flush lost.</summary>
    internal void Flush()
    {
        byte[] durable = _data.AsSpan(0, (int)Length).ToArray();
        foreach ((long start, long end) in _lost ?? [])
        {
            for (long i = start; i < Math.Min(end, durable.Length); i++)
            {
                durable[i] = i < _durable.Length ? _durable[i] : (byte)0;
            }
        }

        _durable = durable;
        _pending.Clear();
        _lost = null;
    }

    /// <summary>
    /// A failed flush, with Linux's behaviour: the pages of the pending writes are marked clean without reaching the
    /// device, so a later flush "succeeds" without them and a crash loses them. Reads still return them.
    /// </summary>
    internal void FailFlush()
    {
        _lost ??= [];
        foreach (PendingChange change in _pending)
        {
            if (change.Data is not null)
            {
                _lost.Add((change.Position, change.Position + change.Data.Length));
            }
        }

        _pending.Clear();
    }

    internal void FlipBit(long bitIndex)
    {
        long index = bitIndex / 8;
        byte mask = (byte)(1 << (int)(bitIndex % 8));
        if (index >= Length && index >= _durable.Length)
        {
            throw new ArgumentOutOfRangeException(
                nameof(bitIndex), bitIndex, $"The file has only {Math.Max(Length, _durable.Length) * 8} bits.");
        }

        if (index < Length)
        {
            _data[index] ^= mask;
        }

        if (index < _durable.Length)
        {
            _durable[index] ^= mask;
        }
    }

    internal byte[] Snapshot() => _data.AsSpan(0, (int)Length).ToArray();

    /// <summary>Computes what a crash leaves of this file.</summary>
    internal byte[] SurviveCrash(PowerLossMode mode, Random random)
    {
        switch (mode)
        {
            case PowerLossMode.ProcessCrash:
                return Snapshot();
            case PowerLossMode.DropUnflushed:
                return (byte[])_durable.Clone();
            case PowerLossMode.KeepPrefix:
                return Replay(random.Next(_pending.Count + 1), tearLast: false, random);
            case PowerLossMode.TornWrite:
                return _pending.Count == 0 ? (byte[])_durable.Clone() : Replay(random.Next(1, _pending.Count + 1), tearLast: true, random);
            case PowerLossMode.ZeroFilledExtension:
                byte[] zeroFilled = new byte[Length];
                _durable.AsSpan(0, (int)Math.Min(_durable.Length, Length)).CopyTo(zeroFilled);
                return zeroFilled;
            case PowerLossMode.KeepRandomPages:
                return KeepRandomPages(random);
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "Random is resolved per file by SimulatedStorage.");
        }
    }

    private byte[] Replay(int count, bool tearLast, Random random)
    {
        byte[] data = (byte[])_durable.Clone();
        long length = data.Length;
        for (int i = 0; i < count; i++)
        {
            PendingChange change = _pending[i];
            if (change.Data is null)
            {
                Resize(ref data, length, change.NewLength);
                length = change.NewLength;
            }
            else if (tearLast && i == count - 1)
            {
                Tear(ref data, ref length, change, random);
            }
            else
            {
                Apply(ref data, length, change.Position, change.Data, out length);
            }
        }

        return data.AsSpan(0, (int)length).ToArray();
    }

    private static void Tear(ref byte[] data, ref long length, PendingChange change, Random random)
    {
        byte[] source = change.Data!;
        int cut = random.Next(source.Length + 1);
        Apply(ref data, length, change.Position, source.AsSpan(0, cut), out length);
        long sectorEnd = Math.Min((change.Position + cut) / SectorSize * SectorSize + SectorSize, change.Position + source.Length);
        int tail = (int)(sectorEnd - (change.Position + cut));
        if (tail <= 0)
        {
            return;
        }

        byte[] filler = new byte[tail];
        switch (random.Next(3))
        {
            case 0:
                random.NextBytes(filler);    // garbage
                break;
            case 1:
                break;                       // zeros
            default:
                if (change.Position + cut >= length)
                {
                    return;                  // nothing old to keep beyond the end: the sector stays short
                }

                long oldEnd = Math.Min(length, sectorEnd);
                filler = data.AsSpan((int)(change.Position + cut), (int)(oldEnd - (change.Position + cut))).ToArray();
                break;
        }

        Apply(ref data, length, change.Position + cut, filler, out length);
    }

    private byte[] KeepRandomPages(Random random)
    {
        long length = random.Next(2) == 0 ? _durable.Length : Length;
        byte[] result = new byte[length];
        for (long page = 0; page * PageSize < length; page++)
        {
            int start = (int)(page * PageSize);
            int count = (int)Math.Min(PageSize, length - start);
            bool takeNew = random.Next(2) == 0;
            ReadOnlySpan<byte> source = takeNew ? _data.AsSpan(0, (int)Length) : _durable;
            if (start < source.Length)
            {
                source.Slice(start, Math.Min(count, source.Length - start)).CopyTo(result.AsSpan(start));
            }
        }

        return result;
    }

    private static void Apply(ref byte[] data, long length, long position, ReadOnlySpan<byte> source, out long newLength)
    {
        newLength = Math.Max(length, position + source.Length);
        Resize(ref data, length, newLength);
        source.CopyTo(data.AsSpan((int)position));
    }

    private static void Resize(ref byte[] data, long oldLength, long newLength)
    {
        if (newLength > Array.MaxLength / 2)
        {
            throw new IOException(
                $"The simulated file would grow to {newLength} bytes; simulated files are limited to {Array.MaxLength / 2}.");
        }

        if (newLength > data.Length)
        {
            Array.Resize(ref data, (int)Math.Max(newLength, Math.Min(Array.MaxLength / 2, data.Length * 2L)));
        }

        if (newLength > oldLength)
        {
            data.AsSpan((int)oldLength, (int)(newLength - oldLength)).Clear();
        }
        else if (newLength < oldLength)
        {
            data.AsSpan((int)newLength, (int)(oldLength - newLength)).Clear();
        }
    }

    private readonly record struct PendingChange(long Position, byte[]? Data, long NewLength);
}
