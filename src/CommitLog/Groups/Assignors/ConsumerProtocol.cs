using System.Buffers.Binary;
using System.Text;

namespace CommitLog.Groups.Assignors;

/// <summary>
/// Kafka's consumer embedded protocol (protocol type <c>consumer</c>): the byte layouts of the subscription a member sends
/// in JoinGroup and of the assignment the leader sends in SyncGroup, so that the same bytes can later travel in Kafka's
/// wire protocol. All integers big-endian; strings are an int16 length and UTF-8; arrays an int32 count.
/// <list type="bullet">
/// <item>Subscription v2: int16 version, topics [string], user_data (int32 length, -1 null), owned_partitions
/// [topic string, partitions [int32]], generation_id int32. Versions 0 to 3 are read (v3 adds a nullable rack string).</item>
/// <item>Assignment v0: int16 version, assigned_partitions [topic string, partitions [int32]], user_data bytes.</item>
/// </list>
/// </summary>
internal static class ConsumerProtocol
{
    /// <summary>The protocol type of consumer groups.</summary>
    public const string ProtocolType = "consumer";

    private const short SubscriptionVersion = 2;
    private const short AssignmentVersion = 0;

    /// <summary>Encodes a subscription (v2; the static id is not part of the bytes).</summary>
    public static byte[] EncodeSubscription(ConsumerSubscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        var writer = new Writer();
        writer.Int16(SubscriptionVersion);
        writer.Int32(subscription.Topics.Count);
        foreach (string topic in subscription.Topics)
        {
            writer.String(topic);
        }

        writer.Int32(-1);
        writer.Partitions(subscription.OwnedPartitions);
        writer.Int32(subscription.GenerationId);
        return writer.ToArray();
    }

    /// <summary>Decodes a subscription of version 0 to 3.</summary>
    /// <exception cref="FormatException">The bytes are not a valid subscription.</exception>
    public static ConsumerSubscription DecodeSubscription(ReadOnlySpan<byte> bytes, string? groupInstanceId = null)
    {
        var reader = new Reader(bytes);
        short version = reader.Int16();
        if (version < 0)
        {
            throw new FormatException($"Subscription version {version} is not valid; versions 0 and later are read.");
        }

        int count = reader.Count();
        var topics = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            topics.Add(reader.String());
        }

        reader.SkipBytes();
        IReadOnlyList<TopicPartition> owned = version >= 1 ? reader.Partitions() : [];
        int generation = version >= 2 ? reader.Int32() : -1;
        return new ConsumerSubscription(topics, owned, generation, groupInstanceId);
    }

    /// <summary>Encodes an assignment (v0), with optional user data.</summary>
    public static byte[] EncodeAssignment(IReadOnlyList<TopicPartition> partitions, byte[]? userData = null)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        var writer = new Writer();
        writer.Int16(AssignmentVersion);
        writer.Partitions(partitions);
        writer.Bytes(userData);
        return writer.ToArray();
    }

    /// <summary>Decodes an assignment; empty bytes are an empty assignment (as Kafka sends to members the leader left out).</summary>
    /// <exception cref="FormatException">The bytes are not a valid assignment.</exception>
    public static IReadOnlyList<TopicPartition> DecodeAssignment(ReadOnlySpan<byte> bytes) => DecodeAssignment(bytes, out _);

    /// <summary>Decodes an assignment and its user data.</summary>
    /// <exception cref="FormatException">The bytes are not a valid assignment.</exception>
    public static IReadOnlyList<TopicPartition> DecodeAssignment(ReadOnlySpan<byte> bytes, out byte[]? userData)
    {
        userData = null;
        if (bytes.IsEmpty)
        {
            return [];
        }

        var reader = new Reader(bytes);
        _ = reader.Int16();
        List<TopicPartition> partitions = reader.Partitions();
        userData = reader.AtEnd ? null : reader.Bytes();
        return partitions;
    }

    /// <summary>Encodes topic partition counts (the leader keeps the counts its assignment was computed with in its own
    /// assignment's user data, so that a restarted static leader can still notice topics that grew): [topic string, count int32].</summary>
    public static byte[] EncodeTopicCounts(IReadOnlyDictionary<string, int> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var writer = new Writer();
        writer.Int32(counts.Count);
        foreach ((string topic, int count) in counts.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            writer.String(topic);
            writer.Int32(count);
        }

        return writer.ToArray();
    }

    /// <summary>Decodes <see cref="EncodeTopicCounts"/>.</summary>
    /// <exception cref="FormatException">The bytes are not valid.</exception>
    public static Dictionary<string, int> DecodeTopicCounts(ReadOnlySpan<byte> bytes)
    {
        var reader = new Reader(bytes);
        int entries = reader.Count();
        var counts = new Dictionary<string, int>(entries, StringComparer.Ordinal);
        for (int i = 0; i < entries; i++)
        {
            counts[reader.String()] = reader.Int32();
        }

        return counts;
    }

    private sealed class Writer
    {
        private readonly MemoryStream _stream = new();

        public void Int16(short value)
        {
            Span<byte> buffer = stackalloc byte[2];
            BinaryPrimitives.WriteInt16BigEndian(buffer, value);
            _stream.Write(buffer);
        }

        public void Int32(int value)
        {
            Span<byte> buffer = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(buffer, value);
            _stream.Write(buffer);
        }

        public void String(string value)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(value);
            Int16(checked((short)bytes.Length));
            _stream.Write(bytes);
        }

        public void Partitions(IReadOnlyList<TopicPartition> partitions)
        {
            var byTopic = partitions.GroupBy(p => p.Topic, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
            Int32(byTopic.Count);
            foreach (var topic in byTopic)
            {
                String(topic.Key);
                var numbers = topic.Select(p => p.Partition.Value).Order().ToList();
                Int32(numbers.Count);
                foreach (int number in numbers)
                {
                    Int32(number);
                }
            }
        }

        public void Bytes(byte[]? value)
        {
            Int32(value?.Length ?? -1);
            if (value is not null)
            {
                _stream.Write(value);
            }
        }

        public byte[] ToArray() => _stream.ToArray();
    }

    private ref struct Reader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _position;

        public short Int16() => BinaryPrimitives.ReadInt16BigEndian(Take(2));

        public int Int32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

        public int Count()
        {
            int count = Int32();
            return count >= 0 && count <= _bytes.Length - _position
                ? count
                : throw new FormatException($"Array length {count} at byte {_position - 4} is not valid for {_bytes.Length} bytes.");
        }

        public string String()
        {
            short length = Int16();
            return length >= 0
                ? Encoding.UTF8.GetString(Take(length))
                : throw new FormatException($"String length {length} at byte {_position - 2} is not valid here.");
        }

        public readonly bool AtEnd => _position >= _bytes.Length;

        public byte[]? Bytes()
        {
            int length = Int32();
            return length < 0 ? null : Take(length).ToArray();
        }

        public void SkipBytes()
        {
            int length = Int32();
            if (length > 0)
            {
                Take(length);
            }
        }

        public List<TopicPartition> Partitions()
        {
            int topics = Count();
            var partitions = new List<TopicPartition>();
            for (int t = 0; t < topics; t++)
            {
                string topic = String();
                int count = Count();
                for (int i = 0; i < count; i++)
                {
                    partitions.Add(new TopicPartition(topic, Int32()));
                }
            }

            return partitions;
        }

        private ReadOnlySpan<byte> Take(int length)
        {
            if (length > _bytes.Length - _position)
            {
                throw new FormatException($"The data ends at byte {_bytes.Length}, but {length} more bytes were expected at byte {_position}.");
            }

            ReadOnlySpan<byte> slice = _bytes.Slice(_position, length);
            _position += length;
            return slice;
        }
    }
}
