using System.Globalization;
using System.Text;
using CommitLog.Storage.IO;

namespace CommitLog.Storage;

/// <summary>
/// The leader-epoch cache (KIP-101): for each leader epoch, the first offset written in it. Lets a replica ask
/// "where did epoch N end?" and truncate to exactly that point. Persisted as Kafka's <c>leader-epoch-checkpoint</c>
/// text file (version line, count line, then one "epoch startOffset" line per entry).
/// </summary>
/// <remarks>Mutated only by the log under its append lock; reads take the same lock.</remarks>
internal sealed class LeaderEpochCache
{
    private readonly ISegmentStorage _storage;
    private readonly string _directory;
    private readonly List<(int Epoch, long StartOffset)> _entries = [];

    public LeaderEpochCache(ISegmentStorage storage, string directory)
    {
        _storage = storage;
        _directory = directory;
    }

    public int LatestEpoch => _entries.Count == 0 ? -1 : _entries[^1].Epoch;

    public IReadOnlyList<(int Epoch, long StartOffset)> Entries => _entries;

    /// <summary>Loads the file; returns false if it exists but is damaged (the caller rebuilds it from the log).</summary>
    public bool Load()
    {
        _entries.Clear();
        var bytes = CheckpointFile.TryRead(_storage, _directory, SegmentFileNames.LeaderEpochFile);
        if (bytes is null)
        {
            return true;
        }

        var lines = Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length < 2 || lines[0].Trim() != "0" || !int.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            || count != lines.Length - 2)
        {
            return false;
        }

        for (var i = 0; i < count; i++)
        {
            var parts = lines[i + 2].Split(' ');
            if (parts.Length != 2
                || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var epoch)
                || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
                || (_entries.Count > 0 && (epoch <= _entries[^1].Epoch || start < _entries[^1].StartOffset)))
            {
                _entries.Clear();
                return false;
            }

            _entries.Add((epoch, start));
        }

        return true;
    }

    /// <summary>Records that <paramref name="epoch"/> starts at <paramref name="startOffset"/>, if it is newer than the latest.</summary>
    /// <returns>True if the cache changed (and was persisted).</returns>
    public bool Assign(int epoch, long startOffset, bool persist = true)
    {
        if (epoch < 0 || epoch <= LatestEpoch)
        {
            return false;
        }

        while (_entries.Count > 0 && _entries[^1].StartOffset >= startOffset)
        {
            _entries.RemoveAt(_entries.Count - 1);
        }

        _entries.Add((epoch, startOffset));
        if (persist)
        {
            Persist();
        }

        return true;
    }

    /// <summary>Returns the largest epoch at most <paramref name="epoch"/> and the offset where it ended (KIP-101 OffsetsForLeaderEpoch).</summary>
    /// <returns>(-1, -1) when no such epoch is known.</returns>
    public (int Epoch, long EndOffset) EndOffsetFor(int epoch, long logEndOffset)
    {
        for (var i = _entries.Count - 1; i >= 0; i--)
        {
            if (_entries[i].Epoch <= epoch)
            {
                var end = i == _entries.Count - 1 ? logEndOffset : _entries[i + 1].StartOffset;
                return (_entries[i].Epoch, end);
            }
        }

        return (-1, -1);
    }

    /// <summary>Drops entries that start at or after <paramref name="endOffset"/> (the log was truncated there).</summary>
    public void TruncateFromEnd(long endOffset)
    {
        var before = _entries.Count;
        _entries.RemoveAll(e => e.StartOffset >= endOffset);
        if (_entries.Count != before)
        {
            Persist();
        }
    }

    /// <summary>Moves the earliest entry's start up to <paramref name="startOffset"/> (the log start moved).</summary>
    /// <param name="startOffset">The new log start offset.</param>
    /// <param name="persist">Whether to write the file now. Retention passes false and calls <see cref="TryPersist"/>:
    /// the file may lag behind the log start, since loading trims it to the log start anyway.</param>
    public void TruncateFromStart(long startOffset, bool persist = true)
    {
        var changed = false;
        while (_entries.Count > 1 && _entries[1].StartOffset <= startOffset)
        {
            _entries.RemoveAt(0);
            changed = true;
        }

        if (_entries.Count > 0 && _entries[0].StartOffset < startOffset)
        {
            _entries[0] = (_entries[0].Epoch, startOffset);
            changed = true;
        }

        if (changed && persist)
        {
            Persist();
        }
    }

    /// <summary>Writes the file unless the disk is full (the log must be able to free space on a full disk).</summary>
    public void TryPersist()
    {
        try
        {
            Persist();
        }
        catch (IOException e) when (IO.IOErrors.IsDiskFull(e))
        {
        }
    }

    public void Clear() => _entries.Clear();

    public void Persist()
    {
        var text = new StringBuilder();
        text.Append("0\n").Append(_entries.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var (epoch, start) in _entries)
        {
            text.Append(epoch.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(start.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        CheckpointFile.WriteAtomic(_storage, _directory, SegmentFileNames.LeaderEpochFile, Encoding.UTF8.GetBytes(text.ToString()));
    }
}
