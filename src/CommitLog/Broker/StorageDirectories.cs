using CommitLog.Storage.IO;

namespace CommitLog;

/// <summary>
/// The directory operations the broker needs beyond <see cref="ISegmentStorage"/>, which knows files only: listing and
/// removing partition directories. They exist for the real file system and for <see cref="InMemorySegmentStorage"/>; on
/// any other storage they do nothing (emptied directories stay, orphans are not reported). Neither is needed for
/// consistency: the metadata file alone decides which topics exist.
/// </summary>
internal static class StorageDirectories
{
    /// <summary>Returns the names of the directories in <paramref name="directory"/>, or null when the storage cannot list them.</summary>
    public static IReadOnlyList<string>? TryList(ISegmentStorage storage, string directory) => storage switch
    {
        FileSegmentStorage => [.. Directory.EnumerateDirectories(directory).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)],
        InMemorySegmentStorage memory => memory.ListDirectories(directory),
        _ => null,
    };

    /// <summary>Removes an empty directory where the storage supports it.</summary>
    public static void RemoveEmpty(ISegmentStorage storage, string directory)
    {
        switch (storage)
        {
            case FileSegmentStorage when Directory.Exists(directory):
                Directory.Delete(directory, recursive: false);
                break;
            case InMemorySegmentStorage memory:
                memory.DeleteDirectory(directory);
                break;
        }
    }
}
