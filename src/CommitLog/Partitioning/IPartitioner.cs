namespace CommitLog;

/// <summary>Chooses the partition of a record from its key.</summary>
/// <remarks>
/// Called by the producer for every record sent to <see cref="Partition.Any"/>, possibly from several threads at
/// once: implementations must be thread-safe and should not allocate. Built-in partitioners come from
/// <see cref="Partitioners"/>.
/// </remarks>
public interface IPartitioner
{
    /// <summary>Returns the partition for a record.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="keyData">The serialized key; empty when <paramref name="keyIsNull"/> is true.</param>
    /// <param name="keyIsNull"><see langword="true"/> when the record has no key (as opposed to an empty key).</param>
    /// <param name="partitionCount">The number of partitions of the topic (at least 1).</param>
    /// <returns>A partition in [0, <paramref name="partitionCount"/>).</returns>
    int Partition(string topic, ReadOnlySpan<byte> keyData, bool keyIsNull, int partitionCount);
}
