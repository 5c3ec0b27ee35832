namespace CommitLog;

/// <summary>
/// The built-in partitioners, named as librdkafka's <c>partitioner</c> setting names them (see
/// <see cref="Partitioners.GetName"/>). "Sticky" means KIP-794's uniform sticky partitioning: records stay on one
/// randomly chosen partition until about <c>batch.size</c> bytes went there, then move to another.
/// </summary>
public enum PartitionerKind
{
    /// <summary>
    /// <c>murmur2_random</c> (the default): <c>(murmur2(key) &amp; 0x7fffffff) % partitions</c>, the same partition as
    /// Kafka's Java producer for every key, including empty keys; records without a key are sticky.
    /// </summary>
    Murmur2Random = 0,

    /// <summary><c>murmur2</c>: as <see cref="Murmur2Random"/> (records without a key are sticky, as in the Java producer and
    /// librdkafka).</summary>
    Murmur2,

    /// <summary><c>consistent</c>: <c>crc32(key) % partitions</c> (CRC-32, IEEE). Null and empty keys are hashed too, so they all go to
    /// partition 0.</summary>
    Consistent,

    /// <summary><c>consistent_random</c>: <c>crc32(key) % partitions</c>; null and empty keys are sticky. librdkafka's default.</summary>
    ConsistentRandom,

    /// <summary><c>fnv1a</c>: <c>|fnv1a(key)| % partitions</c> (librdkafka's FNV-1a, compatible with Sarama's hash partitioner); records
    /// without a key are sticky.</summary>
    Fnv1a,

    /// <summary><c>fnv1a_random</c>: as <see cref="Fnv1a"/>.</summary>
    Fnv1aRandom,

    /// <summary><c>random</c>: a uniformly random partition for every record; keys are ignored.</summary>
    Random,

    /// <summary><c>round_robin</c>: partitions in turn, per topic; keys are ignored (Kafka's <c>RoundRobinPartitioner</c>).</summary>
    RoundRobin,

    /// <summary><c>uniform_sticky</c>: every record is sticky; keys are ignored (Kafka's <c>partitioner.ignore.keys=true</c>).</summary>
    UniformSticky,
}
