using System.Globalization;
using System.Text;
using CommitLog.Storage.IO;

namespace CommitLog.Storage;

/// <summary>
/// The cleaner's persisted state, in <c>cleaner-offset-checkpoint</c> (replaced atomically): the offset up to which
/// the log is cleaned (records below it are the "clean" part) and, per cleaned segment, when its records last
/// changed (the clock of <c>delete.retention.ms</c>). The file is derived data: a missing or damaged one means
/// "nothing cleaned yet", which costs a full cleaning and keeps tombstones longer, never less.
/// </summary>
/// <remarks>Format (text, one item a line): <c>1</c>, the cleaned offset, the entry count, then
/// <c>baseOffset lastModifiedMs</c> per segment.</remarks>
internal sealed class CleanerCheckpoint
{
    public const string FileName = "cleaner-offset-checkpoint";
    private const int Version = 1;

    public long CleanedOffset { get; set; }

    /// <summary>Gets, per segment base offset, when the segment's records last changed (Unix ms).</summary>
    public Dictionary<long, long> LastModified { get; } = [];

    public static CleanerCheckpoint Read(ISegmentStorage storage, string directory)
    {
        var result = new CleanerCheckpoint();
        var bytes = CheckpointFile.TryRead(storage, directory, FileName);
        if (bytes is null)
        {
            return result;
        }

        var lines = Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length < 3 || lines[0] != "1" || !TryLong(lines[1], out var cleaned) || !int.TryParse(lines[2], NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            || lines.Length != 3 + count)
        {
            return result;
        }

        for (var i = 0; i < count; i++)
        {
            var parts = lines[3 + i].Split(' ');
            if (parts.Length != 2 || !TryLong(parts[0], out var baseOffset) || !TryLong(parts[1], out var modified))
            {
                return new CleanerCheckpoint();
            }

            result.LastModified[baseOffset] = modified;
        }

        result.CleanedOffset = cleaned;
        return result;
    }

    public void Write(ISegmentStorage storage, string directory)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{Version}\n{CleanedOffset}\n{LastModified.Count}\n");
        foreach (var (baseOffset, modified) in LastModified.OrderBy(e => e.Key))
        {
            text.Append(CultureInfo.InvariantCulture, $"{baseOffset} {modified}\n");
        }

        CheckpointFile.WriteAtomic(storage, directory, FileName, Encoding.UTF8.GetBytes(text.ToString()));
    }

    private static bool TryLong(string s, out long value) => long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
}
