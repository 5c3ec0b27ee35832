namespace CommitLog.Replication.Control;

/// <summary>
/// The static control plane's metadata file: one <see cref="MetadataSnapshotCodec"/> image, replaced crash-safely
/// (write a temporary file, fsync it, rename it over the old one), so a crash leaves either the old or the new state.
/// </summary>
internal static class MetadataFile
{
    public const string FileName = "control-metadata.bin";
    private const string TemporaryName = FileName + ".tmp";

    /// <summary>Reads the file, or returns null when there is none.</summary>
    /// <exception cref="InvalidDataException">The file exists but is corrupt.</exception>
    public static ClusterMetadata? Read(string directory)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return MetadataSnapshotCodec.Decode(File.ReadAllBytes(path));
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"The control-plane metadata file {path} is corrupt: {ex.Message}", ex);
        }
    }

    public static async Task WriteAsync(string directory, ClusterMetadata metadata, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        string temporary = Path.Combine(directory, TemporaryName);
        byte[] image = MetadataSnapshotCodec.Encode(metadata);
        var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync(image, cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, Path.Combine(directory, FileName), overwrite: true);
    }
}
