namespace CommitLog.Tests.Partitioning;

/// <summary>The producer calls the partitioner for every record, so the built-ins must not allocate per call.</summary>
public class PartitionerAllocationTests
{
    [Theory]
    [InlineData(PartitionerKind.Murmur2Random, false)]
    [InlineData(PartitionerKind.Murmur2Random, true)]
    [InlineData(PartitionerKind.Consistent, false)]
    [InlineData(PartitionerKind.ConsistentRandom, true)]
    [InlineData(PartitionerKind.Fnv1a, false)]
    [InlineData(PartitionerKind.Random, false)]
    [InlineData(PartitionerKind.RoundRobin, false)]
    [InlineData(PartitionerKind.UniformSticky, true)]
    public void Partition_SteadyState_AllocatesNothing(PartitionerKind kind, bool keyIsNull)
    {
        IPartitioner partitioner = Partitioners.Create(kind, stickyBatchSize: 256);
        var feedback = partitioner as IPartitionerFeedback;
        byte[] key = "customer-12345"u8.ToArray();
        int Run(int count)
        {
            int sum = 0;
            for (int i = 0; i < count; i++)
            {
                int p = partitioner.Partition("orders", keyIsNull ? default : key, keyIsNull, 12);
                feedback?.OnAppended("orders", p, 64);
                sum += p;
            }

            return sum;
        }

        Run(100); // first use of the topic creates its sticky/round-robin state
        long before = GC.GetAllocatedBytesForCurrentThread();
        int total = Run(10_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(total >= 0);
        Assert.Equal(0, allocated);
    }
}
