namespace CommitLog;

/// <summary><c>random</c>: a uniformly random partition for each record, keys ignored (librdkafka's <c>random</c>).</summary>
internal sealed class RandomPartitioner(PartitionRandom random) : IPartitioner
{
    public int Partition(string topic, ReadOnlySpan<byte> keyData, bool keyIsNull, int partitionCount)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partitionCount);
        return random.Next(partitionCount);
    }

    public override string ToString() => Partitioners.GetName(PartitionerKind.Random);
}
