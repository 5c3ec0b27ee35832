namespace CommitLog.Throughput.Workloads;

/// <summary>One producer case of issue 3's matrix.</summary>
/// <param name="Partitions">Partitions of the topic.</param>
/// <param name="LingerMs">The producer's <c>linger.ms</c>.</param>
/// <param name="Flushed">Whether the topic acknowledges only after fdatasync (<c>flush.messages=1</c>).</param>
/// <param name="InFlight">The awaited variant: results pending at once.</param>
internal sealed record ProducerCase(int Partitions, int LingerMs, bool Flushed, int InFlight);
