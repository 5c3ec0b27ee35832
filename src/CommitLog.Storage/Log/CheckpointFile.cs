using CommitLog.Storage.IO;

namespace CommitLog.Storage;

/// <summary>Small files replaced atomically: write a temporary, fsync it, rename it into place, fsync the directory.</summary>
internal static class CheckpointFile
{
    public static void WriteAtomic(ISegmentStorage storage, string directory, string name, ReadOnlySpan<byte> content)
    {
        var path = Path.Combine(directory, name);
        var temp = path + SegmentFileNames.TempSuffix;
        using (var file = storage.OpenFile(temp, create: true))
        {
            file.SetLength(0);
            file.Write(0, content);
            file.Flush();
        }

        storage.RenameFile(temp, path);
        storage.SyncDirectory(directory);
    }

    /// <summary>Reads a whole small file, or returns null if it does not exist.</summary>
    public static byte[]? TryRead(ISegmentStorage storage, string directory, string name, int maxBytes = 1 << 20)
    {
        var path = Path.Combine(directory, name);
        if (!storage.FileExists(path))
        {
            return null;
        }

        using var file = storage.OpenFile(path, create: false);
        var length = (int)Math.Min(file.Length, maxBytes);
        var buffer = new byte[length];
        var read = file.Read(0, buffer);
        return read == length ? buffer : buffer[..read];
    }
}
