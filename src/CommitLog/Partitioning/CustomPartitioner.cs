namespace CommitLog;

/// <summary>A user's <see cref="PartitionerDelegate"/>, with its result checked.</summary>
internal sealed class CustomPartitioner(PartitionerDelegate partitioner) : IPartitioner
{
    public int Partition(string topic, ReadOnlySpan<byte> keyData, bool keyIsNull, int partitionCount)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partitionCount);
        int partition = partitioner(topic, keyData, keyIsNull, partitionCount);
        if ((uint)partition >= (uint)partitionCount)
        {
            throw new InvalidOperationException(ExceptionMessages.PartitionOutOfRange(topic, partition, partitionCount));
        }

        return partition;
    }

    public override string ToString() => "custom";
}
