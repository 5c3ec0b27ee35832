using System.Globalization;

namespace CommitLog;

/// <summary>
/// A position in a partition: the offset of a record, or one of the special values <see cref="Beginning"/>,
/// <see cref="End"/>, <see cref="Stored"/> and <see cref="Unset"/> (the same numbers as Confluent's client).
/// </summary>
/// <param name="Value">The offset; negative values are the special offsets.</param>
public readonly record struct Offset(long Value) : IComparable<Offset>
{
    /// <summary>The start of the partition: the first offset still held (Kafka's <c>OffsetSpec.earliest</c>, -2).</summary>
    public static readonly Offset Beginning = new(-2);

    /// <summary>The end of the partition: the offset the next appended record will get (Kafka's <c>latest</c>, -1).</summary>
    public static readonly Offset End = new(-1);

    /// <summary>The consumer group's committed offset for the partition (-1000).</summary>
    public static readonly Offset Stored = new(-1000);

    /// <summary>No offset (-1001).</summary>
    public static readonly Offset Unset = new(-1001);

    /// <summary>Gets a value indicating whether this is one of the special (negative) offsets rather than a record's offset.</summary>
    public bool IsSpecial => Value < 0;

    /// <summary>Converts a raw offset.</summary>
    /// <param name="value">The offset.</param>
    public static implicit operator Offset(long value) => new(value);

    /// <summary>Converts to the raw offset.</summary>
    /// <param name="offset">The offset.</param>
    public static implicit operator long(Offset offset) => offset.Value;

    /// <summary>Adds a record count to an offset.</summary>
    /// <param name="offset">The offset; must not be special.</param>
    /// <param name="count">The number of records to move forward (negative moves back).</param>
    /// <returns>The offset <paramref name="count"/> records later.</returns>
    /// <exception cref="InvalidOperationException"><paramref name="offset"/> is a special offset.</exception>
    public static Offset operator +(Offset offset, long count)
    {
        if (offset.IsSpecial)
        {
            throw new InvalidOperationException($"Cannot add to the special offset {offset}; only record offsets (>= 0) can be moved.");
        }

        return new Offset(checked(offset.Value + count));
    }

    /// <summary>Compares two offsets by value.</summary>
    /// <param name="left">The first offset.</param>
    /// <param name="right">The second offset.</param>
    /// <returns><see langword="true"/> when <paramref name="left"/> is smaller.</returns>
    public static bool operator <(Offset left, Offset right) => left.Value < right.Value;

    /// <summary>Compares two offsets by value.</summary>
    /// <param name="left">The first offset.</param>
    /// <param name="right">The second offset.</param>
    /// <returns><see langword="true"/> when <paramref name="left"/> is larger.</returns>
    public static bool operator >(Offset left, Offset right) => left.Value > right.Value;

    /// <summary>Compares two offsets by value.</summary>
    /// <param name="left">The first offset.</param>
    /// <param name="right">The second offset.</param>
    /// <returns><see langword="true"/> when <paramref name="left"/> is smaller or equal.</returns>
    public static bool operator <=(Offset left, Offset right) => left.Value <= right.Value;

    /// <summary>Compares two offsets by value.</summary>
    /// <param name="left">The first offset.</param>
    /// <param name="right">The second offset.</param>
    /// <returns><see langword="true"/> when <paramref name="left"/> is larger or equal.</returns>
    public static bool operator >=(Offset left, Offset right) => left.Value >= right.Value;

    /// <summary>Creates an offset from a raw value (the named alternative to the implicit conversion).</summary>
    /// <param name="value">The offset.</param>
    /// <returns>The offset.</returns>
    public static Offset FromInt64(long value) => new(value);

    /// <summary>Returns the raw value (the named alternative to the implicit conversion).</summary>
    /// <returns>The offset as a number.</returns>
    public long ToInt64() => Value;

    /// <inheritdoc />
    public int CompareTo(Offset other) => Value.CompareTo(other.Value);

    /// <summary>Returns the offset as a number, or the name of a special offset.</summary>
    /// <returns>For example <c>42</c>, <c>Beginning</c> or <c>End</c>.</returns>
    public override string ToString() => Value switch
    {
        -2 => "Beginning",
        -1 => "End",
        -1000 => "Stored",
        -1001 => "Unset",
        _ => Value.ToString(CultureInfo.InvariantCulture),
    };
}
