using CommitLog.Storage;

namespace CommitLog;

/// <summary>
/// A record's timestamp: milliseconds since the Unix epoch (UTC) and whether the producer or the log set it.
/// <see cref="NotAvailable"/> (Kafka's <c>NO_TIMESTAMP</c>, -1) means "none": a producer stamps such a message with
/// the current time.
/// </summary>
public readonly record struct Timestamp
{
    /// <summary>Kafka's "no timestamp" value in milliseconds.</summary>
    public const long NoTimestampMs = -1;

    /// <summary>No timestamp: the producer uses the time of the send.</summary>
    public static readonly Timestamp NotAvailable = new(NoTimestampMs, TimestampType.CreateTime);

    /// <summary>Creates a timestamp.</summary>
    /// <param name="unixTimestampMs">Milliseconds since 1970-01-01T00:00:00Z, or -1 for none.</param>
    /// <param name="type">Who set it.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="unixTimestampMs"/> is below -1, or <paramref name="type"/> is
    /// undefined.</exception>
    public Timestamp(long unixTimestampMs, TimestampType type = TimestampType.CreateTime)
    {
        if (unixTimestampMs < NoTimestampMs)
        {
            throw new ArgumentOutOfRangeException(
                nameof(unixTimestampMs), unixTimestampMs, "A Kafka timestamp is milliseconds since 1970-01-01Z (>= 0), or -1 for none.");
        }

        if (type is not (TimestampType.CreateTime or TimestampType.LogAppendTime))
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "The timestamp type must be CreateTime or LogAppendTime.");
        }

        UnixTimestampMs = unixTimestampMs;
        Type = type;
    }

    /// <summary>Creates a create-time timestamp from a point in time.</summary>
    /// <param name="dateTime">The time; truncated to whole milliseconds.</param>
    /// <param name="type">Who set it.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dateTime"/> is before the Unix epoch.</exception>
    public Timestamp(DateTimeOffset dateTime, TimestampType type = TimestampType.CreateTime)
        : this(ToUnixMs(dateTime), type)
    {
    }

    /// <summary>Gets the milliseconds since the Unix epoch, or -1 when <see cref="IsAvailable"/> is false.</summary>
    public long UnixTimestampMs { get; }

    /// <summary>Gets who set the timestamp.</summary>
    public TimestampType Type { get; }

    /// <summary>Gets a value indicating whether the timestamp holds a time (is not <see cref="NotAvailable"/>).</summary>
    public bool IsAvailable => UnixTimestampMs != NoTimestampMs;

    /// <summary>Gets the timestamp as a UTC <see cref="DateTimeOffset"/>.</summary>
    /// <exception cref="InvalidOperationException">The timestamp is <see cref="NotAvailable"/>.</exception>
    public DateTimeOffset DateTime => IsAvailable
        ? DateTimeOffset.FromUnixTimeMilliseconds(UnixTimestampMs)
        : throw new InvalidOperationException("The timestamp is not available (-1), so it has no date.");

    /// <summary>Returns the time in ISO 8601 and the type, or <c>NotAvailable</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => IsAvailable ? $"{DateTime:O} ({Type})" : "NotAvailable";

    private static long ToUnixMs(DateTimeOffset dateTime)
    {
        long ms = dateTime.ToUnixTimeMilliseconds();
        if (ms < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(dateTime), dateTime, "A Kafka timestamp cannot be before 1970-01-01T00:00:00Z.");
        }

        return ms;
    }
}
