using System.Runtime.InteropServices;
using CommitLog.Groups.Coordinator;
using CommitLog.Replication.Protocol;
using CommitLog.Storage;
using FsCheck.Xunit;

namespace CommitLog.Replication.Tests.Protocol;

/// <summary>
/// The fetch path's copy-free encoding: a message encoded into a pooled array is byte-for-byte the plain encoding, a
/// message decoded in place keeps its records as slices of the received frame, and a fetch answer's pooled read is
/// released exactly when the sender says so.
/// </summary>
public sealed class PooledEncodingTests
{
    [Property(MaxTest = 200)]
    public void EncodePooled_AnyFetchAnswer_SameBytesAsEncode(int correlation, byte[][]? records, string? topic)
    {
        var name = topic is null ? "t" : new string(topic.Where(c => c < 128).Take(100).ToArray());
        var partitions = (records ?? []).Take(8)
            .Select((r, i) => new FetchPartitionResponse(name, i, ReplicationErrorCode.None, 7, 0, -1, -1, r ?? [])).ToArray();
        var message = new FetchResponse(correlation, partitions);
        var pooled = MessageCodec.EncodePooled(message);
        try
        {
            Assert.Equal(MessageCodec.Encode(message), pooled.Memory.ToArray());
        }
        finally
        {
            pooled.Return();
        }
    }

    [Fact]
    public void EncodePooled_MessageLargerThanItsSizeHint_GrowsAndKeepsEverything()
    {
        // A coordinator answer gets the 256-byte default hint; this one is 40 times larger, so the pooled array grows.
        var message = new CoordinatorSyncResponse(9, new SyncGroupResponse(ErrorCode.None, "consumer", "range",
            [.. Enumerable.Range(0, 10_000).Select(i => (byte)i)]));
        var pooled = MessageCodec.EncodePooled(message);
        try
        {
            Assert.True(pooled.Length > 10_000);
            Assert.Equal(MessageCodec.Encode(message), pooled.Memory.ToArray());
        }
        finally
        {
            pooled.Return();
        }
    }

    [Fact]
    public void DecodeInPlace_FetchAnswerAndProduce_RecordsAreSlicesOfTheFrame()
    {
        byte[] records = [.. Enumerable.Range(0, 300).Select(i => (byte)i)];
        foreach (ReplicationMessage message in new ReplicationMessage[]
        {
            new FetchResponse(3, [new FetchPartitionResponse("orders", 0, ReplicationErrorCode.None, 5, 0, -1, -1, records)]),
            new ProduceRequest(4, "orders", 1, ProduceRequest.AcksAll, 1000, records),
        })
        {
            var frame = MessageCodec.Encode(message);
            var decoded = MessageCodec.DecodeInPlace(frame);
            var slice = decoded is FetchResponse f ? f.Partitions[0].Records : ((ProduceRequest)decoded).Records;
            Assert.Equal(records, slice.ToArray());
            Assert.True(MemoryMarshal.TryGetArray(slice, out var segment));
            Assert.Same(frame, segment.Array); // no copy: the records point into the received bytes
            var copied = MessageCodec.Decode(frame); // the span decoder copies, so its records outlive the frame's reuse
            var copy = copied is FetchResponse cf ? cf.Partitions[0].Records : ((ProduceRequest)copied).Records;
            Assert.True(MemoryMarshal.TryGetArray(copy, out var copySegment));
            Assert.NotSame(frame, copySegment.Array);
        }
    }

    [Fact]
    public void ReleaseRecords_DisposesEachPartitionsOwnerOnce()
    {
        var owners = new[] { new CountingOwner(), new CountingOwner() };
        var answer = new FetchResponse(1,
        [
            new FetchPartitionResponse("a", 0, ReplicationErrorCode.None, 1, 0, -1, -1, new byte[4], owners[0]),
            new FetchPartitionResponse("a", 1, ReplicationErrorCode.None, 1, 0, -1, -1, ReadOnlyMemory<byte>.Empty),
            new FetchPartitionResponse("b", 0, ReplicationErrorCode.None, 1, 0, -1, -1, new byte[4], owners[1]),
        ]);
        Assert.All(owners, o => Assert.Equal(0, o.Disposed));
        answer.ReleaseRecords();
        Assert.All(owners, o => Assert.Equal(1, o.Disposed));
    }

    private sealed class CountingOwner : IDisposable
    {
        public int Disposed { get; private set; }

        public void Dispose() => Disposed++;
    }
}
