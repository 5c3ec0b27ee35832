using System.Globalization;
using CommitLog.Storage;

namespace CommitLog.CrashChild;

/// <summary>The child's command line: <c>key=value</c> pairs, every key optional except <c>dir</c>.</summary>
internal sealed record ChildSettings
{
    public required string Directory { get; init; }

    /// <summary>Os, BeforeAck or Every (a background flush every 50 records or 20 ms).</summary>
    public string Flush { get; init; } = "Os";

    public int Seed { get; init; }

    public int Writers { get; init; } = 3;

    /// <summary>The run number; writer ids are <c>run * 16 + index</c>, so every run's records are distinct.</summary>
    public int Run { get; init; }

    public long SegmentBytes { get; init; } = 16 * 1024;

    /// <summary>retention.bytes, or -1 for none.</summary>
    public long RetentionBytes { get; init; } = -1;

    public CompressionType Compression { get; init; } = CompressionType.None;

    /// <summary>Whether a extra task keeps calling Roll() and EnforceRetention() at random moments.</summary>
    public bool Churn { get; init; }

    /// <summary>Stop after this many appends in all, close the log cleanly and exit; 0 runs until killed.</summary>
    public int Appends { get; init; }

    /// <summary>The percentage of appends after which a writer sleeps 1 ms (keeps the log from growing too fast).</summary>
    public int PausePercent { get; init; } = 50;

    public static ChildSettings Parse(string[] args)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var arg in args)
        {
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new ArgumentException($"Argument '{arg}' is not key=value.", nameof(args));
            }

            map[arg[..eq]] = arg[(eq + 1)..];
        }

        int Int(string key, int fallback) => map.TryGetValue(key, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        long Long(string key, long fallback) => map.TryGetValue(key, out var v) ? long.Parse(v, CultureInfo.InvariantCulture) : fallback;
        return new ChildSettings
        {
            Directory = map.TryGetValue("dir", out var dir) ? dir : throw new ArgumentException("dir=<log directory> is required.", nameof(args)),
            Flush = map.GetValueOrDefault("flush", "Os"),
            Seed = Int("seed", 0),
            Writers = Int("writers", 3),
            Run = Int("run", 0),
            SegmentBytes = Long("segment", 16 * 1024),
            RetentionBytes = Long("retention", -1),
            Compression = Enum.Parse<CompressionType>(map.GetValueOrDefault("compression", "None"), ignoreCase: true),
            Churn = Int("churn", 0) != 0,
            Appends = Int("appends", 0),
            PausePercent = Int("pause", 50),
        };
    }

    public LogOptions ToLogOptions() => new()
    {
        SegmentBytes = SegmentBytes,
        RetentionBytes = RetentionBytes,
        RetentionMs = null,
        RetentionCheckInterval = RetentionBytes >= 0 ? TimeSpan.FromMilliseconds(50) : null,
        CheckpointInterval = TimeSpan.FromMilliseconds(200),
        FlushPolicy = Flush switch
        {
            "Os" => FlushPolicy.Os,
            "BeforeAck" => FlushPolicy.BeforeAck,
            "Every" => FlushPolicy.Every(50, TimeSpan.FromMilliseconds(20)),
            _ => throw new ArgumentException($"flush={Flush} is not one of Os, BeforeAck, Every."),
        },
    };
}
