using CommitLog.Storage.IO;

namespace CommitLog.Storage;

/// <summary>
/// The file <c>partition.checkpoint</c>: two fixed slots written in turn, in place, each followed by an fdatasync.
/// A write never needs a new disk block, a rename or a directory sync (only the file's creation does), so
/// checkpoints keep working on a full disk and cost one small write and flush. A torn or damaged slot fails its
/// CRC and the other, older slot is used: an older checkpoint only makes recovery re-validate more.
/// </summary>
/// <remarks>Not thread-safe: the log serializes checkpoint writes.</remarks>
internal sealed class PartitionCheckpointFile : IDisposable
{
    private readonly ISegmentStorage _storage;
    private readonly string _directory;
    private readonly string _path;
    private readonly byte[] _slot = new byte[PartitionCheckpoint.SlotSize];
    private ISegmentFile? _file;
    private long _sequence;

    public PartitionCheckpointFile(ISegmentStorage storage, string directory)
    {
        _storage = storage;
        _directory = directory;
        _path = Path.Combine(directory, SegmentFileNames.CheckpointFile);
    }

    /// <summary>Reads the newest valid checkpoint, or null if there is none.</summary>
    public PartitionCheckpoint? Read()
    {
        if (!_storage.FileExists(_path))
        {
            return null;
        }

        _file ??= _storage.OpenFile(_path, create: false);
        var content = new byte[2 * PartitionCheckpoint.SlotSize];
        var read = _file.Read(0, content);
        (PartitionCheckpoint Checkpoint, long Sequence)? best = null;
        for (var slot = 0; slot < 2; slot++)
        {
            var start = slot * PartitionCheckpoint.SlotSize;
            if (read >= start + PartitionCheckpoint.SlotSize
                && PartitionCheckpoint.TryDecode(content.AsSpan(start, PartitionCheckpoint.SlotSize)) is { } decoded
                && (best is null || decoded.Sequence > best.Value.Sequence))
            {
                best = decoded;
            }
        }

        _sequence = best?.Sequence ?? 0;
        return best?.Checkpoint;
    }

    /// <summary>Writes <paramref name="checkpoint"/> durably into the older slot.</summary>
    /// <exception cref="IOException">The write or flush failed.</exception>
    public void Write(PartitionCheckpoint checkpoint)
    {
        var created = false;
        if (_file is null)
        {
            created = !_storage.FileExists(_path);
            _file = _storage.OpenFile(_path, create: true);
        }

        var sequence = _sequence + 1;
        checkpoint.Encode(sequence, _slot);
        _file.Write((sequence & 1) * PartitionCheckpoint.SlotSize, _slot);
        _file.Flush();
        if (created)
        {
            _storage.SyncDirectory(_directory);
        }

        _sequence = sequence;
    }

    public void Dispose()
    {
        _file?.Dispose();
        _file = null;
    }
}
