using System.Buffers.Binary;
using System.Text;

namespace CommitLog.Groups;

/// <summary>
/// Encodes and decodes the records of <c>__consumer_offsets</c> in Kafka's format: an offset commit's key is
/// version 1 (group, topic, partition) and its value version 3 (offset, leader epoch, metadata, commit timestamp);
/// values of versions 0 to 3 are read. Strings are an int16 length and UTF-8 bytes, integers big-endian. A null value
/// (a tombstone) removes the offset. Group metadata records (key version 2) are recognized and skipped: members live
/// in memory.
/// </summary>
internal static class OffsetRecordCodec
{
    private const short OffsetKeyVersion = 1;
    private const short OffsetValueVersion = 3;
    private const short GroupMetadataKeyVersion = 2;

    /// <summary>Encodes the key of a committed offset.</summary>
    public static byte[] EncodeKey(string groupId, TopicPartition topicPartition)
    {
        int groupBytes = Utf8Length(groupId, "group id");
        int topicBytes = Utf8Length(topicPartition.Topic, "topic");
        var key = new byte[2 + 2 + groupBytes + 2 + topicBytes + 4];
        var span = key.AsSpan();
        BinaryPrimitives.WriteInt16BigEndian(span, OffsetKeyVersion);
        int at = WriteString(span, 2, groupId);
        at = WriteString(span, at, topicPartition.Topic);
        BinaryPrimitives.WriteInt32BigEndian(span[at..], topicPartition.Partition.Value);
        return key;
    }

    /// <summary>Encodes a group-metadata key (version 2: the group id). On a cluster node a record with this key and a null
    /// value marks a point in the group's partition (the read barrier of <see cref="GroupOffsetStore.CatchUpAsync"/>); the
    /// store skips such records and compaction keeps only the latest per group.</summary>
    public static byte[] EncodeGroupMetadataKey(string groupId)
    {
        var key = new byte[2 + 2 + Utf8Length(groupId, "group id")];
        BinaryPrimitives.WriteInt16BigEndian(key, GroupMetadataKeyVersion);
        WriteString(key, 2, groupId);
        return key;
    }

    /// <summary>Encodes the value of a committed offset.</summary>
    public static byte[] EncodeValue(in CommittedOffset committed)
    {
        string metadata = committed.Metadata ?? string.Empty;
        var value = new byte[2 + 8 + 4 + 2 + Utf8Length(metadata, "metadata") + 8];
        var span = value.AsSpan();
        BinaryPrimitives.WriteInt16BigEndian(span, OffsetValueVersion);
        BinaryPrimitives.WriteInt64BigEndian(span[2..], committed.Offset);
        BinaryPrimitives.WriteInt32BigEndian(span[10..], committed.LeaderEpoch);
        int at = WriteString(span, 14, metadata);
        BinaryPrimitives.WriteInt64BigEndian(span[at..], committed.CommitTimestamp);
        return value;
    }

    /// <summary>Decodes a key; returns false for a record that is not an offset commit (group metadata).</summary>
    /// <exception cref="FormatException">The key is malformed or of an unknown version.</exception>
    public static bool TryDecodeKey(ReadOnlySpan<byte> key, out string groupId, out TopicPartition topicPartition)
    {
        groupId = string.Empty;
        topicPartition = default;
        short version = ReadInt16(key, 0);
        if (version == GroupMetadataKeyVersion)
        {
            return false;
        }

        if (version is not (0 or 1))
        {
            throw new FormatException($"Unknown __consumer_offsets key version {version}; known versions are 0, 1 and 2.");
        }

        int at = ReadString(key, 2, out groupId);
        at = ReadString(key, at, out string topic);
        topicPartition = new TopicPartition(topic, ReadInt32(key, at));
        return true;
    }

    /// <summary>Decodes a value of version 0 to 3.</summary>
    /// <exception cref="FormatException">The value is malformed or of an unknown version.</exception>
    public static CommittedOffset DecodeValue(ReadOnlySpan<byte> value)
    {
        short version = ReadInt16(value, 0);
        long offset = ReadInt64(value, 2);
        int at = 10;
        int leaderEpoch = -1;
        if (version == 3)
        {
            leaderEpoch = ReadInt32(value, at);
            at += 4;
        }
        else if (version is < 0 or > 3)
        {
            throw new FormatException($"Unknown __consumer_offsets value version {version}; known versions are 0 to 3.");
        }

        at = ReadString(value, at, out string metadata);
        long timestamp = ReadInt64(value, at);
        return new CommittedOffset(offset, leaderEpoch, metadata.Length == 0 ? null : metadata, timestamp);
    }

    /// <summary>Returns the UTF-8 length of a string that must fit Kafka's int16-prefixed string.</summary>
    public static int Utf8Length(string text, string what)
    {
        int length = Encoding.UTF8.GetByteCount(text);
        return length <= short.MaxValue
            ? length
            : throw new ArgumentException($"The {what} is {length} bytes in UTF-8; at most {short.MaxValue} are allowed.", what);
    }

    private static int WriteString(Span<byte> span, int at, string text)
    {
        int length = Encoding.UTF8.GetBytes(text, span[(at + 2)..]);
        BinaryPrimitives.WriteInt16BigEndian(span[at..], (short)length);
        return at + 2 + length;
    }

    private static int ReadString(ReadOnlySpan<byte> span, int at, out string text)
    {
        short length = ReadInt16(span, at);
        if (length < 0 || at + 2 + length > span.Length)
        {
            throw new FormatException($"A string of length {length} at byte {at} does not fit the {span.Length}-byte record.");
        }

        text = Encoding.UTF8.GetString(span.Slice(at + 2, length));
        return at + 2 + length;
    }

    private static short ReadInt16(ReadOnlySpan<byte> span, int at)
        => at + 2 <= span.Length ? BinaryPrimitives.ReadInt16BigEndian(span[at..]) : throw Truncated(span, at);

    private static int ReadInt32(ReadOnlySpan<byte> span, int at)
        => at + 4 <= span.Length ? BinaryPrimitives.ReadInt32BigEndian(span[at..]) : throw Truncated(span, at);

    private static long ReadInt64(ReadOnlySpan<byte> span, int at)
        => at + 8 <= span.Length ? BinaryPrimitives.ReadInt64BigEndian(span[at..]) : throw Truncated(span, at);

    private static FormatException Truncated(ReadOnlySpan<byte> span, int at)
        => new($"The {span.Length}-byte __consumer_offsets record ends before byte {at}.");
}
