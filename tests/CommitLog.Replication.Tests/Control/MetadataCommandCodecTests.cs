using CommitLog.Replication.Control;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CommitLog.Replication.Tests.Control;

/// <summary>The metadata commands' binary form: every command round-trips; damaged bytes are a clear FormatException.</summary>
public sealed class MetadataCommandCodecTests
{
    private static readonly MetadataCommand[] Samples =
    [
        new RegisterBroker(7, "127.0.0.1:9092"),
        new FenceBroker(3),
        new UnfenceBroker(3),
        new CreateTopic(new ReplicatedTopic("orders", 2, 3, 2, true), [[1, 2, 3], [2, 3, 1]]),
        new AlterIsr(new TopicPartition("orders", 1), 4, 9, [2, 3]),
        new ElectLeader(new TopicPartition("orders", 0), 2, AllowUnclean: true),
    ];

    [Fact]
    public void Decode_EveryCommandType_RoundTrips()
    {
        foreach (var command in Samples)
        {
            var decoded = MetadataCommand.Decode(command.ToBytes());
            Assert.Equal(command.ToBytes(), decoded.ToBytes());
            Assert.Equal(command.GetType(), decoded.GetType());
        }
    }

    [Fact]
    public void Decode_EveryTruncation_ThrowsFormatException()
    {
        foreach (var command in Samples)
        {
            var bytes = command.ToBytes();
            for (var length = 0; length < bytes.Length; length++)
            {
                Assert.Throws<FormatException>(() => MetadataCommand.Decode(bytes.AsSpan(0, length)));
            }

            Assert.Throws<FormatException>(() => MetadataCommand.Decode([.. bytes, 0]));
        }
    }

    [Fact]
    public void Decode_HugeListCount_RefusedBeforeAllocating()
    {
        byte[] bytes = [5, 0, 0, 0, 1, (byte)'t', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x7F, 0xFF, 0xFF, 0xFF];
        var before = GC.GetAllocatedBytesForCurrentThread();

        var error = Assert.Throws<FormatException>(() => MetadataCommand.Decode(bytes));

        Assert.Contains("claims 2147483647 entries", error.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 * 1024);
    }

    [Property(MaxTest = 500)]
    public void Decode_RandomBytes_CommandOrFormatExceptionOnly(byte[] bytes)
    {
        try
        {
            var command = MetadataCommand.Decode(bytes ?? []);
            Assert.Equal(bytes, command.ToBytes());
        }
        catch (FormatException)
        {
        }
    }

    [Property(MaxTest = 200)]
    public Property AlterIsr_AnyValues_RoundTrip(NonNegativeInt partition, int leaderEpoch, int partitionEpoch, int[] isr)
    {
        var command = new AlterIsr(new TopicPartition("t", partition.Get), leaderEpoch, partitionEpoch, isr ?? []);
        return (MetadataCommand.Decode(command.ToBytes()) is AlterIsr decoded
            && decoded.TopicPartition == command.TopicPartition && decoded.LeaderEpoch == leaderEpoch
            && decoded.PartitionEpoch == partitionEpoch && decoded.Isr.SequenceEqual(command.Isr)).ToProperty();
    }
}
