using CommitLog.Storage.IO;

namespace CommitLog.TestKit;

/// <summary>An open file of <see cref="SimulatedStorage"/>; unusable after the storage crashed or the file was disposed.</summary>
internal sealed class SimulatedFile(SimulatedStorage storage, string path, SimulatedInode inode, int generation) : ISegmentFile
{
    public string Path { get; } = path;

    public long Length => storage.LengthOf(this);

    internal SimulatedInode Inode { get; } = inode;

    internal int Generation { get; } = generation;

    internal bool IsDisposed { get; set; }

    public int Read(long position, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        return storage.ReadFile(this, position, destination);
    }

    public void Write(long position, ReadOnlySpan<byte> source)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        storage.WriteFile(this, position, source);
    }

    public void Flush() => storage.FlushFile(this);

    public void SetLength(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        storage.SetFileLength(this, length);
    }

    public void Dispose() => storage.CloseFile(this);

    public override string ToString() => Path;
}
