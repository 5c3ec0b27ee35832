using System.Buffers;

namespace CommitLog.Tests.Serialization;

/// <summary>Builds <see cref="ReadOnlySequence{T}"/>s split into several segments, as a read spanning pages would be.</summary>
internal static class Sequences
{
    public static ReadOnlySequence<byte> Split(byte[] data, int pieces)
    {
        if (pieces <= 1 || data.Length < 2)
        {
            return new ReadOnlySequence<byte>(data);
        }

        int size = Math.Max(1, data.Length / pieces);
        var first = new Segment(data.AsMemory(0, Math.Min(size, data.Length)), 0);
        Segment last = first;
        for (int start = size; start < data.Length; start += size)
        {
            last = last.Append(data.AsMemory(start, Math.Min(size, data.Length - start)));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    public static byte[] Serialize<T>(ISerializer<T> serializer, T value, SerializationContext context)
    {
        var buffer = new ArrayBufferWriter<byte>();
        serializer.Serialize(value, buffer, context);
        return buffer.WrittenSpan.ToArray();
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
