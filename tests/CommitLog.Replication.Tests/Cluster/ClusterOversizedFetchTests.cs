using CommitLog.Replication.Cluster;
using CommitLog.Replication.Protocol;
using CommitLog.Storage;
using Microsoft.Extensions.Logging;

namespace CommitLog.Replication.Tests.Cluster;

/// <summary>
/// Defence in depth on the leader: a stored batch larger than a frame carries (written before under a larger
/// max.message.bytes) is answered with MessageTooLarge, logged and counted, instead of a send that closes the connection.
/// </summary>
public sealed class ClusterOversizedFetchTests
{
    private const int Frame = 64 * 1024;

    [Fact]
    public async Task FitFrame_StoredBatchLargerThanBudget_AnsweredMessageTooLargeLoggedAndCounted()
    {
        var logs = new CapturingLoggerFactory();
        var host = Host(logs);
        try
        {
            using var oversized = new CounterProbe(host.ClusterMetrics.Meter, "commitlog.cluster.fetch.oversized");
            var big = Batch(baseOffset: 42, valueBytes: Frame);
            var answer = Answer(big);
            Assert.True(FrameBudget.EncodedSize(answer) > Frame);

            var fitted = Assert.IsType<FetchResponse>(host.FitFrame(answer));
            host.FitFrame(answer);

            var partition = Assert.Single(fitted.Partitions);
            Assert.Equal(ReplicationErrorCode.MessageTooLarge, partition.Error);
            Assert.True(partition.Records.IsEmpty);
            Assert.Equal(answer.Partitions[0].HighWatermark, partition.HighWatermark);
            Assert.True(MessageCodec.Encode(fitted).Length <= Frame);
            Assert.Equal(2, oversized.Total);
            var line = Assert.Single(logs.Lines, l => l.Level == LogLevel.Error);
            Assert.Contains("offset 42 of orders-0", line.Message, StringComparison.Ordinal);
            Assert.Contains($"is {big.Length} bytes", line.Message, StringComparison.Ordinal);
            Assert.Contains($"the {FrameBudget.For(Frame)} bytes", line.Message, StringComparison.Ordinal);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task FitFrame_BatchesFittingOnlyTogetherAboveFrame_KeepsWholeBatchesThatFit()
    {
        var host = Host(new CapturingLoggerFactory());
        try
        {
            using var oversized = new CounterProbe(host.ClusterMetrics.Meter, "commitlog.cluster.fetch.oversized");
            var first = Batch(baseOffset: 0, valueBytes: 40_000);
            var second = Batch(baseOffset: 1, valueBytes: 40_000);
            var answer = Answer([.. first, .. second]);

            var fitted = Assert.IsType<FetchResponse>(host.FitFrame(answer));

            var partition = Assert.Single(fitted.Partitions);
            Assert.Equal(ReplicationErrorCode.None, partition.Error);
            Assert.Equal(first, partition.Records.ToArray());
            Assert.Equal(0, oversized.Total);

            var small = Answer(first);
            Assert.Same(small, host.FitFrame(small));
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    private static NodeHost Host(CapturingLoggerFactory logs)
    {
        var network = new InMemory.InMemoryNetwork(seed: 1, TimeProvider.System, Frame);
        return new NodeHost(new ClusterNodeOptions
        {
            NodeId = 0,
            DataDirectory = Path.Combine(Path.GetTempPath(), "commitlog-unused-" + Guid.NewGuid().ToString("N")),
            ListenAddress = "node-0",
            Transport = network.CreateTransport("0"),
            ControlPlane = new AuthorityControlPlane(new MetadataAuthority(), 0, "node-0"),
            LoggerFactory = logs,
        });
    }

    private static FetchResponse Answer(byte[] records) => new(7, [new FetchPartitionResponse("orders", 0, ReplicationErrorCode.None,
        HighWatermark: 40, LogStartOffset: 0, DivergingEpoch: -1, DivergingEndOffset: -1, records)]);

    private static byte[] Batch(long baseOffset, int valueBytes)
    {
        using var builder = new RecordBatchBuilder { BaseOffset = baseOffset, PartitionLeaderEpoch = 1 };
        builder.Append(1_700_000_000_000, null, new byte[valueBytes]);
        return builder.ToArray();
    }
}
