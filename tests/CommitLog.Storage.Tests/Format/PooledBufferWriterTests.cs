using System.Buffers;

namespace CommitLog.Storage.Tests.Format;

/// <summary>The pooled buffer writer: growth keeps what was written, <c>Detach</c> hands the array over, over-advancing is refused.</summary>
public class PooledBufferWriterTests
{
    [Fact]
    public void PooledBufferWriter_GrowsPastItsHint_KeepsEverythingWritten()
    {
        using var writer = new PooledBufferWriter(ArrayPool<byte>.Shared, 16);
        var expected = new List<byte>();
        for (var i = 0; i < 1000; i++)
        {
            var span = writer.GetSpan(i % 37 + 1);
            for (var j = 0; j < i % 37 + 1; j++)
            {
                span[j] = (byte)(i + j);
                expected.Add((byte)(i + j));
            }

            writer.Advance(i % 37 + 1);
        }

        var (buffer, length) = writer.Detach();
        Assert.Equal(expected, buffer.AsSpan(0, length).ToArray());
        Assert.Throws<ObjectDisposedException>(() => writer.GetSpan(1)); // the array belongs to the caller now
        ArrayPool<byte>.Shared.Return(buffer);
        using var other = new PooledBufferWriter(ArrayPool<byte>.Shared, 16);
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => other.Advance(100_000));
    }
}
