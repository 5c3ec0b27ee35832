namespace CommitLog;

/// <summary>
/// Where <see cref="BrokerAdmin.ResetConsumerGroupOffsetsAsync"/> moves a group's offsets, as the options of
/// <c>kafka-consumer-groups --reset-offsets</c>: <c>--to-earliest</c>, <c>--to-latest</c>, <c>--to-datetime</c>,
/// <c>--shift-by</c>, <c>--to-offset</c>. Targets outside a partition's range are clamped to it, as Kafka does.
/// </summary>
public sealed class OffsetResetSpec
{
    private OffsetResetSpec(Kind kind, long value)
    {
        What = kind;
        Value = value;
    }

    /// <summary>The kinds of reset.</summary>
    internal enum Kind
    {
        Earliest,
        Latest,
        Timestamp,
        ShiftBy,
        Offset,
    }

    /// <summary>Gets the reset to each partition's log start offset.</summary>
    public static OffsetResetSpec ToEarliest { get; } = new(Kind.Earliest, 0);

    /// <summary>Gets the reset to each partition's log end offset (skip everything not yet consumed).</summary>
    public static OffsetResetSpec ToLatest { get; } = new(Kind.Latest, 0);

    internal Kind What { get; }

    internal long Value { get; }

    /// <summary>Resets to the first record at or after <paramref name="time"/> (the log end when none is).</summary>
    /// <param name="time">The time.</param>
    /// <returns>The reset.</returns>
    public static OffsetResetSpec ToDateTime(DateTimeOffset time) => new(Kind.Timestamp, time.ToUnixTimeMilliseconds());

    /// <summary>Moves each partition's committed offset by <paramref name="records"/> (negative: back, to re-consume).</summary>
    /// <param name="records">The shift.</param>
    /// <returns>The reset.</returns>
    public static OffsetResetSpec ShiftBy(long records) => new(Kind.ShiftBy, records);

    /// <summary>Resets every selected partition to <paramref name="offset"/>.</summary>
    /// <param name="offset">The offset, 0 or more.</param>
    /// <returns>The reset.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is negative.</exception>
    public static OffsetResetSpec ToOffset(long offset)
        => new(Kind.Offset, offset >= 0 ? offset
            : throw new ArgumentOutOfRangeException(nameof(offset), offset, "An offset to reset to must be 0 or more."));

    /// <inheritdoc/>
    public override string ToString() => What switch
    {
        Kind.Earliest => "to-earliest",
        Kind.Latest => "to-latest",
        Kind.Timestamp => $"to-datetime {DateTimeOffset.FromUnixTimeMilliseconds(Value):O}",
        Kind.ShiftBy => $"shift-by {Value}",
        _ => $"to-offset {Value}",
    };
}
