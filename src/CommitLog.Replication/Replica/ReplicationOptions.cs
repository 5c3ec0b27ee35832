namespace CommitLog.Replication.Replica;

/// <summary>Settings of the replication core (times in milliseconds of the caller's clock).</summary>
internal sealed record ReplicationOptions
{
    /// <summary>Gets Kafka <c>replica.lag.time.max.ms</c>: a follower that has not caught up for this long leaves the ISR (default 30 s).</summary>
    public long ReplicaLagTimeMaxMs { get; init; } = 30_000;

    /// <summary>Gets Kafka <c>replica.fetch.max.bytes</c>: the most record bytes per partition in one fetch.</summary>
    public int FetchMaxBytes { get; init; } = 1024 * 1024;

    /// <summary>Gets how long a follower waits before fetching again after an empty answer or an error (Kafka <c>replica.fetch.backoff.ms</c>).</summary>
    public long FetchBackoffMs { get; init; } = 100;

    /// <summary>Gets how long a follower waits for a fetch response before it sends a new fetch.</summary>
    public long FetchTimeoutMs { get; init; } = 2_000;

    /// <summary>Gets how long a leader waits for an ISR change it asked for before it asks again.</summary>
    public long AlterIsrTimeoutMs { get; init; } = 2_000;

    /// <summary>Checks the values.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ReplicaLagTimeMaxMs, 1, nameof(ReplicaLagTimeMaxMs));
        ArgumentOutOfRangeException.ThrowIfLessThan(FetchMaxBytes, 1, nameof(FetchMaxBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(FetchBackoffMs, 0, nameof(FetchBackoffMs));
        ArgumentOutOfRangeException.ThrowIfLessThan(FetchTimeoutMs, 1, nameof(FetchTimeoutMs));
        ArgumentOutOfRangeException.ThrowIfLessThan(AlterIsrTimeoutMs, 1, nameof(AlterIsrTimeoutMs));
    }
}
