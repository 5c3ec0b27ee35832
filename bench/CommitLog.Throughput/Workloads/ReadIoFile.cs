using System.Buffers;
using System.IO.Hashing;
using System.IO.MemoryMappedFiles;
using Microsoft.Win32.SafeHandles;

namespace CommitLog.Throughput.Workloads;

/// <summary>
/// One file opened two ways for the read-io workload: a read-only handle for <c>pread</c>
/// (<see cref="RandomAccess.Read(SafeFileHandle, Span{byte}, long)"/>, what the log's segment files use) and one
/// read-only memory-mapped view of the whole file, kept for the life of the object (a log would keep a segment
/// mapped). Every method reads <c>chunk</c> bytes at each of <c>positions</c> and returns a checksum of what it saw,
/// so the work cannot be skipped and the methods can be checked against each other.
/// </summary>
internal sealed unsafe class ReadIoFile : IDisposable
{
    private readonly string _path;
    private readonly SafeFileHandle _handle;
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;

    public ReadIoFile(string path)
    {
        _path = path;
        Length = new FileInfo(path).Length;
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        _map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        _view = _map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _base = pointer + _view.PointerOffset;
    }

    public long Length { get; }

    /// <summary>(a) <c>pread</c> into a pooled array rented per read, as <c>PartitionLog.Read</c> does; optionally CRC-32C over it.</summary>
    public ulong Pread(long[] positions, int chunk, bool crc)
    {
        ulong sum = 0;
        foreach (var position in positions)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(chunk);
            var span = buffer.AsSpan(0, chunk);
            for (var total = 0; total < chunk;)
            {
                var read = RandomAccess.Read(_handle, span[total..], position + total);
                total += read > 0 ? read : throw new EndOfStreamException($"{_path}: end of file at {position + total}.");
            }

            sum += Consume(span, crc);
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return sum;
    }

    /// <summary>(b) Copies out of the mapped view into a pooled array rented per read (bytes the caller can keep); optionally CRC-32C over it.</summary>
    public ulong MappedCopy(long[] positions, int chunk, bool crc) => MappedCopy(_base, positions, chunk, crc);

    /// <summary>(c) No copy: CRC-32C straight over the mapped view (the bytes stay valid only while the view is mapped).</summary>
    public ulong MappedInPlace(long[] positions, int chunk) => MappedInPlace(_base, positions, chunk);

    /// <summary>
    /// (c) with a view mapped for this pass only and unmapped after it: adds the <c>mmap</c>/<c>munmap</c> and the
    /// page-table faults of a fresh mapping (pages in the page cache, so minor faults) to the in-place CRC.
    /// </summary>
    public ulong FreshViewInPlace(long[] positions, int chunk)
    {
        using var map = MemoryMappedFile.CreateFromFile(_path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        using var view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        try
        {
            return MappedInPlace(pointer + view.PointerOffset, positions, chunk);
        }
        finally
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
        }
    }

    public void Dispose()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
        _handle.Dispose();
    }

    private static ulong MappedCopy(byte* mapped, long[] positions, int chunk, bool crc)
    {
        ulong sum = 0;
        foreach (var position in positions)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(chunk);
            var span = buffer.AsSpan(0, chunk);
            new ReadOnlySpan<byte>(mapped + position, chunk).CopyTo(span);
            sum += Consume(span, crc);
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return sum;
    }

    private static ulong MappedInPlace(byte* mapped, long[] positions, int chunk)
    {
        ulong sum = 0;
        foreach (var position in positions)
        {
            sum += Consume(new ReadOnlySpan<byte>(mapped + position, chunk), crc: true);
        }

        return sum;
    }

    /// <summary>The CRC-32C of <paramref name="bytes"/> (how the log verifies a batch), or, without CRC, its last byte (the copy only).</summary>
    private static uint Consume(ReadOnlySpan<byte> bytes, bool crc)
        => crc ? Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, bytes) : bytes[^1];
}
