using System.Globalization;

namespace CommitLog.Storage;

/// <summary>Kafka's file layout of a partition directory: files named by the 20-digit base offset of their segment.</summary>
internal static class SegmentFileNames
{
    public const string LogSuffix = ".log";
    public const string IndexSuffix = ".index";
    public const string TimeIndexSuffix = ".timeindex";
    public const string DeletedSuffix = ".deleted";
    public const string CleanedSuffix = ".cleaned";
    public const string SwapSuffix = ".swap";
    public const string TempSuffix = ".tmp";
    public const string CleanShutdownFile = ".kafka_cleanshutdown";
    public const string CheckpointFile = "partition.checkpoint";
    public const string LeaderEpochFile = "leader-epoch-checkpoint";

    public static string Name(long baseOffset, string suffix) => baseOffset.ToString("D20", CultureInfo.InvariantCulture) + suffix;

    public static string PathOf(string directory, long baseOffset, string suffix) => Path.Combine(directory, Name(baseOffset, suffix));

    /// <summary>Parses "00000000000000000042.log" into 42 when the name ends with <paramref name="suffix"/>.</summary>
    public static bool TryParse(string fileName, string suffix, out long baseOffset)
    {
        baseOffset = -1;
        if (!fileName.EndsWith(suffix, StringComparison.Ordinal) || fileName.Length != 20 + suffix.Length)
        {
            return false;
        }

        return long.TryParse(fileName.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture, out baseOffset);
    }
}
