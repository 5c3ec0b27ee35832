using System.Buffers.Binary;
using CommitLog.Storage;

namespace CommitLog;

/// <content>Producer ids: unique across restarts, persisted in one small crash-safe file.</content>
public sealed partial class Broker
{
    /// <summary>The file holding the next producer id: 8 bytes big-endian, then a CRC-32C of them (big-endian).</summary>
    internal const string ProducerIdFileName = "producer-ids.meta";

    /// <summary>The most nodes a cluster may have: a cluster node's producer ids are <c>local id × MaxClusterNodes + node id</c>,
    /// so two nodes never hand out the same one.</summary>
    internal const int MaxClusterNodes = 1024;

    private const int ProducerIdFileSize = 12;
    private readonly Lock _producerIdGate = new();
    private long _nextProducerId = -1;

    /// <summary>
    /// Returns a producer id never returned before by any broker on this data directory. The counter is written
    /// atomically (temporary file, fsync, rename, fsync directory) before the id is handed out, so a crash can lose
    /// ids but never repeat one.
    /// </summary>
    /// <remarks>On a cluster node the id is also unique across the cluster (see <see cref="MaxClusterNodes"/>).</remarks>
    /// <returns>The id, 0 or more.</returns>
    /// <exception cref="CorruptRecordException">The counter file is damaged.</exception>
    /// <exception cref="IOException">The storage failed.</exception>
    internal long AllocateProducerId()
    {
        ThrowIfDisposed();
        lock (_producerIdGate)
        {
            if (_nextProducerId < 0)
            {
                _nextProducerId = ReadNextProducerId();
            }

            long id = _nextProducerId;
            Span<byte> content = stackalloc byte[ProducerIdFileSize];
            BinaryPrimitives.WriteInt64BigEndian(content, id + 1);
            BinaryPrimitives.WriteUInt32BigEndian(content[8..], Crc32C.Compute(content[..8]));
            CheckpointFile.WriteAtomic(_storage, DataDirectory, ProducerIdFileName, content);
            _nextProducerId = id + 1;
            return _options.Replication is { } replication ? (id * MaxClusterNodes) + replication.NodeId : id;
        }
    }

    private long ReadNextProducerId()
    {
        byte[]? content = CheckpointFile.TryRead(_storage, DataDirectory, ProducerIdFileName, ProducerIdFileSize + 1);
        if (content is null)
        {
            return 0;
        }

        string path = Path.Combine(DataDirectory, ProducerIdFileName);
        if (content.Length != ProducerIdFileSize
            || BinaryPrimitives.ReadUInt32BigEndian(content.AsSpan(8)) != Crc32C.Compute(content.AsSpan(0, 8)))
        {
            throw new CorruptRecordException(
                $"The producer id file is damaged (expected {ProducerIdFileSize} bytes with a valid CRC-32C, found {content.Length} bytes).",
                path, 0);
        }

        long next = BinaryPrimitives.ReadInt64BigEndian(content);
        return next >= 0 ? next
            : throw new CorruptRecordException($"The producer id file holds a negative next id ({next}).", path, 0);
    }
}
