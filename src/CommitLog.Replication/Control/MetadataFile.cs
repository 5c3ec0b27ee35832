using CommitLog.Storage.IO;

namespace CommitLog.Replication.Control;

/// <summary>
/// The static control plane's metadata file: one <see cref="MetadataSnapshotCodec"/> image, replaced crash-safely
/// (write a temporary file, fsync it, rename it over the old one, fsync the directory), so a crash leaves either the
/// old or the new state, and a completed write survives a power loss.
/// </summary>
internal static class MetadataFile
{
    public const string FileName = "control-metadata.bin";
    private const string TemporaryName = FileName + ".tmp";

    /// <summary>A larger file is corrupt: even thousands of topics take far less.</summary>
    private const long MaxFileBytes = 64L << 20;

    /// <summary>Reads the file, or returns null when there is none.</summary>
    /// <exception cref="InvalidDataException">The file exists but is corrupt.</exception>
    public static ClusterMetadata? Read(ISegmentStorage storage, string directory)
    {
        string path = Path.Combine(directory, FileName);
        if (!storage.FileExists(path))
        {
            return null;
        }

        byte[] image;
        using (ISegmentFile file = storage.OpenFile(path, create: false))
        {
            if (file.Length > MaxFileBytes)
            {
                throw new InvalidDataException($"The control-plane metadata file {path} is corrupt: {file.Length} bytes, more than the {MaxFileBytes} allowed.");
            }

            image = new byte[file.Length];
            int read = 0;
            while (read < image.Length && file.Read(read, image.AsSpan(read)) is var n && n > 0)
            {
                read += n;
            }

            image = image[..read];
        }

        try
        {
            return MetadataSnapshotCodec.Decode(image);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"The control-plane metadata file {path} is corrupt: {ex.Message}", ex);
        }
    }

    /// <summary>Replaces the file with <paramref name="metadata"/>; durable when it returns.</summary>
    /// <exception cref="IOException">The storage failed; the previous file (if any) is still the current one.</exception>
    public static void Write(ISegmentStorage storage, string directory, ClusterMetadata metadata)
    {
        CreateDurably(storage, directory);
        string temporary = Path.Combine(directory, TemporaryName);
        byte[] image = MetadataSnapshotCodec.Encode(metadata);
        using (ISegmentFile file = storage.OpenFile(temporary, create: true))
        {
            file.SetLength(0);
            file.Write(0, image);
            file.Flush();
        }

        storage.RenameFile(temporary, Path.Combine(directory, FileName));
        storage.SyncDirectory(directory);
    }

    /// <summary>Creates the directory and any missing parents, syncing each new entry's parent so a power loss keeps them.</summary>
    private static void CreateDurably(ISegmentStorage storage, string directory)
    {
        if (storage.DirectoryExists(directory))
        {
            return;
        }

        string? parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(directory));
        if (!string.IsNullOrEmpty(parent))
        {
            CreateDurably(storage, parent);
        }

        storage.CreateDirectory(directory);
        if (!string.IsNullOrEmpty(parent))
        {
            storage.SyncDirectory(parent);
        }
    }
}
