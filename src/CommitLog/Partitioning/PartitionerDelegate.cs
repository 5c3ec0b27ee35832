namespace CommitLog;

/// <summary>A user-supplied partitioner function (see <see cref="Partitioners.Custom"/>).</summary>
/// <param name="topic">The topic.</param>
/// <param name="keyData">The serialized key; empty when <paramref name="keyIsNull"/> is true.</param>
/// <param name="keyIsNull"><see langword="true"/> when the record has no key.</param>
/// <param name="partitionCount">The number of partitions of the topic (at least 1).</param>
/// <returns>A partition in [0, <paramref name="partitionCount"/>).</returns>
public delegate int PartitionerDelegate(string topic, ReadOnlySpan<byte> keyData, bool keyIsNull, int partitionCount);
