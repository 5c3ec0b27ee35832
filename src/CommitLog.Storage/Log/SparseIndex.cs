using System.Buffers.Binary;
using CommitLog.Storage.IO;

namespace CommitLog.Storage;

/// <summary>
/// A sparse, append-only index of (key, value) entries with strictly increasing keys, persisted in Kafka's layout.
/// Two uses:
/// <list type="bullet">
/// <item>Offset index (<c>.index</c>): 8-byte entries, int32 relative offset (key), int32 file position (value).</item>
/// <item>Time index (<c>.timeindex</c>): 12-byte entries, int64 timestamp (key), int32 relative offset (value).</item>
/// </list>
/// While its segment is active the entries live in memory (and are written to the file lazily: on roll, flush and
/// close); once sealed, lookups binary-search the file and the arrays move on to the next active segment. The index
/// is derived data and never trusted blindly: entries are validated on load, and the log verifies the batch an
/// entry points at before using it; a damaged index is rebuilt from the log.
/// </summary>
/// <remarks>
/// One writer (the log's appender) and any number of concurrent readers. A reader that overlaps
/// <see cref="Seal"/> notices through a generation counter and repeats its lookup in the file.
/// </remarks>
internal sealed class SparseIndex : IDisposable
{
    private const int InitialCapacity = 64;

    private readonly ISegmentFile _file;
    private readonly int _keySize;
    private long[] _keys;
    private int[] _values;
    private int _count;
    private int _persisted;
    private int _generation;
    private bool _sealed;
    private long _sealedLastKey;
    private int _sealedLastValue;

    public SparseIndex(ISegmentFile file, bool isTimeIndex, IndexBuffers? buffers = null)
    {
        _file = file;
        _keySize = isTimeIndex ? 8 : 4;
        _keys = buffers?.Keys ?? new long[InitialCapacity];
        _values = buffers?.Values ?? new int[InitialCapacity];
    }

    public int EntrySize => _keySize + 4;

    public int Count => Volatile.Read(ref _count);

    public string Path => _file.Path;

    public bool IsSealed => Volatile.Read(ref _sealed);

    /// <summary>Gets the last entry, or null when empty.</summary>
    public (long Key, int Value)? Last
    {
        get
        {
            var count = Volatile.Read(ref _count);
            if (count == 0)
            {
                return null;
            }

            if (Volatile.Read(ref _sealed))
            {
                return (_sealedLastKey, _sealedLastValue);
            }

            var generation = Volatile.Read(ref _generation);
            var keys = Volatile.Read(ref _keys);
            var values = Volatile.Read(ref _values);
            var last = (keys[count - 1], values[count - 1]);
            Interlocked.MemoryBarrier();
            return Volatile.Read(ref _generation) == generation ? last : (_sealedLastKey, _sealedLastValue);
        }
    }

    /// <summary>Loads the persisted entries, keeping the longest valid prefix.</summary>
    /// <param name="maxValue">Values must be below this (the segment size for an offset index).</param>
    /// <param name="valuesIncrease">Whether values must increase strictly (positions do; a time index's relative offsets need only not decrease).</param>
    /// <param name="seal">Whether the segment is sealed: keep only the last entry in memory and look up in the file.</param>
    /// <returns>True if every persisted entry was valid.</returns>
    public bool Load(long maxValue, bool valuesIncrease, bool seal)
    {
        Volatile.Write(ref _count, 0);
        var length = _file.Length;
        var entries = (int)Math.Min(length / EntrySize, int.MaxValue / 2);
        var buffer = new byte[entries * EntrySize];
        var read = _file.Read(0, buffer);
        entries = read / EntrySize;
        var valid = 0;
        long lastKey = long.MinValue;
        var lastValue = -1;
        for (; valid < entries; valid++)
        {
            var (key, value) = Decode(buffer.AsSpan(valid * EntrySize, EntrySize));
            var valueOk = valuesIncrease ? value > lastValue : value >= lastValue;
            if (key <= lastKey || !valueOk || value < 0 || value >= maxValue || (_keySize == 4 && key < 0))
            {
                break;
            }

            if (!seal)
            {
                Add(key, value);
            }

            lastKey = key;
            lastValue = value;
        }

        _persisted = valid;
        var clean = valid == entries && length == (long)entries * EntrySize;
        if (!clean)
        {
            _file.SetLength((long)valid * EntrySize);
        }

        if (seal)
        {
            _sealedLastKey = lastKey;
            _sealedLastValue = lastValue;
            Volatile.Write(ref _sealed, true);
            Volatile.Write(ref _count, valid);
        }

        return clean;
    }

    /// <summary>Adds an entry; the key must be greater than the last one. Only while not sealed.</summary>
    public void Add(long key, int value)
    {
        var count = _count;
        var keys = _keys;
        var values = _values;
        if (count == keys.Length)
        {
            Array.Resize(ref keys, count * 2);
            Array.Resize(ref values, count * 2);
            keys[count] = key;
            values[count] = value;
            Volatile.Write(ref _values, values);
            Volatile.Write(ref _keys, keys);
        }
        else
        {
            keys[count] = key;
            values[count] = value;
        }

        Volatile.Write(ref _count, count + 1);
    }

    /// <summary>Finds the last entry whose key is at most <paramref name="key"/> (or below it, when <paramref name="strictlyBelow"/>).</summary>
    public bool TryFindFloor(long key, bool strictlyBelow, out long foundKey, out int value)
    {
        if (!Volatile.Read(ref _sealed))
        {
            var generation = Volatile.Read(ref _generation);
            var found = FindInMemory(key, strictlyBelow, out foundKey, out value);
            Interlocked.MemoryBarrier();
            if (Volatile.Read(ref _generation) == generation)
            {
                return found;
            }
        }

        return FindInFile(key, strictlyBelow, out foundKey, out value);
    }

    /// <summary>
    /// Writes out the remaining entries, switches lookups to the file and gives up the arrays for the next active
    /// segment's index.
    /// </summary>
    public IndexBuffers Seal()
    {
        if (_sealed)
        {
            return new IndexBuffers(new long[InitialCapacity], new int[InitialCapacity]);
        }

        Persist();
        var count = _count;
        if (count > 0)
        {
            _sealedLastKey = _keys[count - 1];
            _sealedLastValue = _values[count - 1];
        }

        Volatile.Write(ref _sealed, true);
        Interlocked.Increment(ref _generation);
        var buffers = new IndexBuffers(_keys, _values);
        _keys = [];
        _values = [];
        return buffers;
    }

    /// <summary>Drops every entry from the first one that <paramref name="drop"/> selects on. Unseals a sealed index first.</summary>
    public void TruncateWhere(Func<long, int, bool> drop)
    {
        Unseal();
        var count = _count;
        var keep = 0;
        while (keep < count && !drop(_keys[keep], _values[keep]))
        {
            keep++;
        }

        if (keep == count)
        {
            return;
        }

        Volatile.Write(ref _count, keep);
        if (_persisted > keep)
        {
            _persisted = keep;
            _file.SetLength((long)keep * EntrySize);
        }
    }

    /// <summary>Removes every entry; the index is then active (in memory).</summary>
    public void Clear() => TruncateWhere(static (_, _) => true);

    /// <summary>Empties the index and its file, whatever the file held (a segment file reused from scratch).</summary>
    public void Reset()
    {
        Unseal();
        Volatile.Write(ref _count, 0);
        _persisted = 0;
        _file.SetLength(0);
    }

    /// <summary>Makes sure the entries are in memory, so that entries can be added (the segment is the active one).</summary>
    public void EnsureActive() => Unseal();

    /// <summary>Writes the entries added since the last call to the file (no fsync: the index is derived data).</summary>
    public void Persist()
    {
        var count = _count;
        if (_sealed || _persisted >= count)
        {
            return;
        }

        var buffer = new byte[(count - _persisted) * EntrySize];
        for (var i = _persisted; i < count; i++)
        {
            var span = buffer.AsSpan((i - _persisted) * EntrySize, EntrySize);
            if (_keySize == 8)
            {
                BinaryPrimitives.WriteInt64BigEndian(span, _keys[i]);
            }
            else
            {
                BinaryPrimitives.WriteInt32BigEndian(span, (int)_keys[i]);
            }

            BinaryPrimitives.WriteInt32BigEndian(span[_keySize..], _values[i]);
        }

        _file.Write((long)_persisted * EntrySize, buffer);
        _persisted = count;
    }

    /// <summary>Persists and flushes the file (used on clean shutdown, so the next open can trust it).</summary>
    public void PersistAndFlush()
    {
        Persist();
        _file.Flush();
    }

    public void Dispose() => _file.Dispose();

    /// <summary>Brings a sealed index back into memory (the segment became active again after a truncation).</summary>
    private void Unseal()
    {
        if (!_sealed)
        {
            return;
        }

        var count = _count;
        _keys = new long[Math.Max(InitialCapacity, count)];
        _values = new int[Math.Max(InitialCapacity, count)];
        var buffer = new byte[count * EntrySize];
        var read = _file.Read(0, buffer) / EntrySize;
        for (var i = 0; i < read; i++)
        {
            (_keys[i], _values[i]) = Decode(buffer.AsSpan(i * EntrySize, EntrySize));
        }

        _persisted = read;
        Volatile.Write(ref _count, read);
        Volatile.Write(ref _sealed, false);
    }

    private bool FindInMemory(long key, bool strictlyBelow, out long foundKey, out int value)
    {
        var count = Volatile.Read(ref _count);
        var keys = Volatile.Read(ref _keys);
        var values = Volatile.Read(ref _values);
        count = Math.Min(count, Math.Min(keys.Length, values.Length));
        int lo = 0, hi = count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (strictlyBelow ? keys[mid] < key : keys[mid] <= key)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        foundKey = found < 0 ? 0 : keys[found];
        value = found < 0 ? 0 : values[found];
        return found >= 0;
    }

    private bool FindInFile(long key, bool strictlyBelow, out long foundKey, out int value)
    {
        Span<byte> entry = stackalloc byte[12];
        entry = entry[..EntrySize];
        int lo = 0, hi = Volatile.Read(ref _count) - 1;
        foundKey = 0;
        value = 0;
        var found = false;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_file.Read((long)mid * EntrySize, entry) < EntrySize)
            {
                break;
            }

            var (k, v) = Decode(entry);
            if (strictlyBelow ? k < key : k <= key)
            {
                (foundKey, value, found) = (k, v, true);
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }

    private (long Key, int Value) Decode(ReadOnlySpan<byte> entry)
    {
        long key = _keySize == 8 ? BinaryPrimitives.ReadInt64BigEndian(entry) : BinaryPrimitives.ReadInt32BigEndian(entry);
        return (key, BinaryPrimitives.ReadInt32BigEndian(entry[_keySize..]));
    }
}
