namespace CommitLog.Storage;

/// <summary>
/// When the log forces written data to the device (Kafka <c>flush.messages</c> and <c>flush.ms</c>).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><see cref="Os"/> (Kafka's default): appends complete at <see cref="Durability.Written"/>; the log flushes
/// when a segment rolls and on close, and the operating system writes back the rest on its own schedule.</item>
/// <item><see cref="BeforeAck"/>: every append completes at <see cref="Durability.Flushed"/>. Concurrent appends share
/// one fdatasync (group commit) and complete together.</item>
/// <item><see cref="Every"/>: appends complete at <see cref="Durability.Written"/>; a flush runs in the background
/// after every <c>messages</c> records or every <c>interval</c>, whichever comes first.</item>
/// </list>
/// </remarks>
public sealed class FlushPolicy
{
    private FlushPolicy(long messages, TimeSpan? interval)
    {
        Messages = messages;
        Interval = interval;
    }

    /// <summary>Gets the policy that leaves flushing to the operating system (Kafka's default).</summary>
    public static FlushPolicy Os { get; } = new(long.MaxValue, null);

    /// <summary>Gets the policy that flushes before every acknowledgement, with group commit (<c>flush.messages=1</c>).</summary>
    public static FlushPolicy BeforeAck { get; } = new(1, null);

    /// <summary>Gets the number of records after which a flush runs (<c>flush.messages</c>); <see cref="long.MaxValue"/> for never.</summary>
    public long Messages { get; }

    /// <summary>Gets the longest time written data may stay unflushed (<c>flush.ms</c>), or <see langword="null"/> for no limit.</summary>
    public TimeSpan? Interval { get; }

    /// <summary>Gets a value indicating whether appends wait for the flush before they complete.</summary>
    public bool IsBeforeAck => Messages == 1;

    /// <summary>Creates a policy that flushes in the background after <paramref name="messages"/> records or <paramref name="interval"/>.</summary>
    /// <param name="messages">Records between flushes (Kafka <c>flush.messages</c>); 1 means flush before every acknowledgement.</param>
    /// <param name="interval">The longest time data may stay unflushed (Kafka <c>flush.ms</c>), or <see langword="null"/>.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="messages"/> is below 1 or <paramref name="interval"/> is not positive.</exception>
    public static FlushPolicy Every(long messages = long.MaxValue, TimeSpan? interval = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(messages, 1);
        if (interval is { } i && i <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "flush.ms must be positive, or null for no time-based flush.");
        }

        return messages == 1 ? BeforeAck : new FlushPolicy(messages, interval);
    }

    /// <inheritdoc />
    public override string ToString() => IsBeforeAck ? "BeforeAck" :
        Messages == long.MaxValue && Interval is null ? "Os" : $"Every(flush.messages={Messages}, flush.ms={Interval?.TotalMilliseconds})";
}
