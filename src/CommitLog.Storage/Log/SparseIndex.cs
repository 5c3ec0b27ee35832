using System.Buffers.Binary;
using CommitLog.Storage.IO;

namespace CommitLog.Storage;

/// <summary>
/// A sparse, append-only index of (key, value) entries with strictly increasing keys, kept in memory and persisted
/// to a file in Kafka's layout. Two uses:
/// <list type="bullet">
/// <item>Offset index (<c>.index</c>): 8-byte entries, int32 relative offset (key), int32 file position (value).</item>
/// <item>Time index (<c>.timeindex</c>): 12-byte entries, int64 timestamp (key), int32 relative offset (value).</item>
/// </list>
/// The index is derived data: it is written lazily (on roll, flush and close) and never trusted blindly. Entries
/// are validated on load and the log verifies the batch an entry points at before using it; a damaged index is
/// truncated at its first bad entry and rebuilt from the log.
/// </summary>
/// <remarks>One writer (the log's appender) and any number of concurrent readers.</remarks>
internal sealed class SparseIndex : IDisposable
{
    private readonly ISegmentFile _file;
    private readonly int _keySize;
    private long[] _keys = new long[16];
    private int[] _values = new int[16];
    private int _count;
    private int _persisted;

    public SparseIndex(ISegmentFile file, bool isTimeIndex)
    {
        _file = file;
        _keySize = isTimeIndex ? 8 : 4;
    }

    public int EntrySize => _keySize + 4;

    public int Count => Volatile.Read(ref _count);

    public string Path => _file.Path;

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

            var keys = Volatile.Read(ref _keys);
            var values = Volatile.Read(ref _values);
            return (keys[count - 1], values[count - 1]);
        }
    }

    /// <summary>Loads the persisted entries, keeping the longest valid prefix.</summary>
    /// <param name="maxValue">Values must be below this (the segment size for an offset index).</param>
    /// <param name="valuesIncrease">Whether values must increase strictly too (positions do; relative offsets in a time index need only not decrease).</param>
    /// <returns>True if every persisted entry was valid.</returns>
    public bool Load(long maxValue, bool valuesIncrease)
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
            var span = buffer.AsSpan(valid * EntrySize, EntrySize);
            long key = _keySize == 8 ? BinaryPrimitives.ReadInt64BigEndian(span) : BinaryPrimitives.ReadInt32BigEndian(span);
            var value = BinaryPrimitives.ReadInt32BigEndian(span[_keySize..]);
            var valueOk = valuesIncrease ? value > lastValue : value >= lastValue;
            if (key <= lastKey || !valueOk || value < 0 || value >= maxValue || (_keySize == 4 && key < 0))
            {
                break;
            }

            Add(key, value);
            lastKey = key;
            lastValue = value;
        }

        _persisted = valid;
        var clean = valid == entries && length == (long)entries * EntrySize;
        if (!clean)
        {
            _file.SetLength((long)valid * EntrySize);
        }

        return clean;
    }

    /// <summary>Adds an entry; the key must be greater than the last one.</summary>
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
        var count = Volatile.Read(ref _count);
        var keys = Volatile.Read(ref _keys);
        var values = Volatile.Read(ref _values);
        count = Math.Min(count, Math.Min(keys.Length, values.Length));
        int lo = 0, hi = count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var ok = strictlyBelow ? keys[mid] < key : keys[mid] <= key;
            if (ok)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        if (found < 0)
        {
            foundKey = 0;
            value = 0;
            return false;
        }

        foundKey = keys[found];
        value = values[found];
        return true;
    }

    /// <summary>Drops every entry whose value satisfies <paramref name="drop"/> from the first such entry on.</summary>
    public void TruncateWhere(Func<long, int, bool> drop)
    {
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

    /// <summary>Removes every entry.</summary>
    public void Clear() => TruncateWhere(static (_, _) => true);

    /// <summary>Writes the entries added since the last call to the file (no fsync: the index is derived data).</summary>
    public void Persist()
    {
        var count = _count;
        if (_persisted >= count)
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
}
