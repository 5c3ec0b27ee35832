using System.Globalization;

namespace CommitLog;

/// <summary>A partition number within a topic, or <see cref="Any"/> to let the partitioner choose.</summary>
/// <param name="Value">The partition number (0-based), or -1 for <see cref="Any"/>.</param>
public readonly record struct Partition(int Value) : IComparable<Partition>
{
    /// <summary>No particular partition: the producer's partitioner chooses one (-1).</summary>
    public static readonly Partition Any = new(-1);

    /// <summary>Gets a value indicating whether this is <see cref="Any"/> or another negative value rather than a real partition.</summary>
    public bool IsSpecial => Value < 0;

    /// <summary>Converts a partition number.</summary>
    /// <param name="value">The partition number.</param>
    public static implicit operator Partition(int value) => new(value);

    /// <summary>Converts to the partition number.</summary>
    /// <param name="partition">The partition.</param>
    public static implicit operator int(Partition partition) => partition.Value;

    /// <summary>Compares two partitions by number.</summary>
    /// <param name="left">The first partition.</param>
    /// <param name="right">The second partition.</param>
    /// <returns><see langword="true"/> when <paramref name="left"/> is smaller.</returns>
    public static bool operator <(Partition left, Partition right) => left.Value < right.Value;

    /// <summary>Compares two partitions by number.</summary>
    /// <param name="left">The first partition.</param>
    /// <param name="right">The second partition.</param>
    /// <returns><see langword="true"/> when <paramref name="left"/> is larger.</returns>
    public static bool operator >(Partition left, Partition right) => left.Value > right.Value;

    /// <summary>Compares two partitions by number.</summary>
    /// <param name="left">The first partition.</param>
    /// <param name="right">The second partition.</param>
    /// <returns><see langword="true"/> when <paramref name="left"/> is smaller or equal.</returns>
    public static bool operator <=(Partition left, Partition right) => left.Value <= right.Value;

    /// <summary>Compares two partitions by number.</summary>
    /// <param name="left">The first partition.</param>
    /// <param name="right">The second partition.</param>
    /// <returns><see langword="true"/> when <paramref name="left"/> is larger or equal.</returns>
    public static bool operator >=(Partition left, Partition right) => left.Value >= right.Value;

    /// <summary>Creates a partition from its number (the named alternative to the implicit conversion).</summary>
    /// <param name="value">The partition number.</param>
    /// <returns>The partition.</returns>
    public static Partition FromInt32(int value) => new(value);

    /// <summary>Returns the partition number (the named alternative to the implicit conversion).</summary>
    /// <returns>The number.</returns>
    public int ToInt32() => Value;

    /// <inheritdoc />
    public int CompareTo(Partition other) => Value.CompareTo(other.Value);

    /// <summary>Returns the partition number, or <c>Any</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Value == -1 ? "Any" : Value.ToString(CultureInfo.InvariantCulture);
}
