using CommitLog.Replication.Control;

namespace CommitLog.Replication.Tests.Control;

public sealed class MetadataSnapshotCodecTests
{
    private static ClusterMetadata Sample()
    {
        ClusterMetadata m = ClusterMetadata.Empty;
        foreach (MetadataCommand c in new MetadataCommand[]
        {
            new RegisterBroker(0, "a:1"), new RegisterBroker(1, "b:1"), new RegisterBroker(2, "c:1"),
            new CreateTopic(new ReplicatedTopic("t", 2, 3, 2, true), [[0, 1, 2], [1, 2, 0]]),
            new FenceBroker(1),
        })
        {
            m = ClusterMetadataState.Apply(m, c).Metadata;
        }

        return m;
    }

    [Fact]
    public void RoundTrip_KeepsEveryField()
    {
        ClusterMetadata m = Sample();
        ClusterMetadata back = MetadataSnapshotCodec.Decode(MetadataSnapshotCodec.Encode(m));

        Assert.Equal(m.Version, back.Version);
        Assert.Equal(m.Brokers.Values.OrderBy(b => b.NodeId), back.Brokers.Values.OrderBy(b => b.NodeId));
        Assert.Equal(m.Topics["t"], back.Topics["t"]);
        foreach (PartitionState p in m.Partitions.Values)
        {
            PartitionState q = back.Partitions[p.TopicPartition];
            Assert.Equal((p.Leader, p.LeaderEpoch, p.PartitionEpoch), (q.Leader, q.LeaderEpoch, q.PartitionEpoch));
            Assert.Equal(p.Replicas, q.Replicas);
            Assert.Equal(p.Isr, q.Isr);
        }
    }

    [Fact]
    public void Decode_AnySingleByteFlipOrTruncation_Rejected()
    {
        byte[] image = MetadataSnapshotCodec.Encode(Sample());
        for (int i = 0; i < image.Length; i++)
        {
            byte[] corrupt = (byte[])image.Clone();
            corrupt[i] ^= 0x01;
            Assert.Throws<InvalidDataException>(() => MetadataSnapshotCodec.Decode(corrupt));
            Assert.Throws<InvalidDataException>(() => MetadataSnapshotCodec.Decode(image.AsSpan(0, i)));
        }
    }
}
