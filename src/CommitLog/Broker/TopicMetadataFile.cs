using System.Buffers.Binary;
using System.Text;
using CommitLog.Storage;
using CommitLog.Storage.IO;

namespace CommitLog;

/// <summary>
/// The broker's topic metadata: the file <c>&lt;data&gt;/topics.meta</c>, replaced atomically on every change (written to
/// <c>topics.meta.tmp</c>, flushed, renamed into place, then the data directory is synced), so a crash leaves either the
/// old or the new version, never a mix.
/// </summary>
/// <remarks>
/// Layout, big-endian:
/// <code>
/// magic      4 bytes  "CLTM"
/// crc        uint32   CRC-32C of every byte after this field
/// version    int16    1
/// count      int32    number of topics
/// per topic:
///   name     int16 length + UTF-8 bytes
///   id       16 bytes (Guid, RFC 4122 byte order)
///   partitions int32
///   flags    int8     bit 0: deletion in progress
///   configs  int16 count, then per entry: key (int16 length + UTF-8), value (int16 length + UTF-8)
/// </code>
/// Any change of this layout bumps <see cref="Version"/>; a file with an unknown version or a bad CRC is refused.
/// </remarks>
internal static class TopicMetadataFile
{
    public const string FileName = "topics.meta";
    public const short Version = 1;
    private const uint Magic = 0x434C544D; // "CLTM"
    private const int HeaderSize = 4 + 4;
    private const int MaxFileBytes = 256 << 20;

    /// <summary>Writes <paramref name="topics"/> crash-safely into <paramref name="directory"/>.</summary>
    public static void Write(ISegmentStorage storage, string directory, IEnumerable<TopicRecord> topics)
        => CheckpointFile.WriteAtomic(storage, directory, FileName, Encode(topics));

    /// <summary>Reads the topics, or returns an empty list when the file does not exist (a new data directory).</summary>
    /// <exception cref="CorruptRecordException">The file is damaged or has an unknown version.</exception>
    public static List<TopicRecord> Read(ISegmentStorage storage, string directory)
    {
        byte[]? content = CheckpointFile.TryRead(storage, directory, FileName, MaxFileBytes);
        return content is null ? [] : Decode(content, Path.Combine(directory, FileName));
    }

    public static byte[] Encode(IEnumerable<TopicRecord> topics)
    {
        var body = new List<byte>(256);
        var list = topics.ToList();
        AppendInt16(body, Version);
        AppendInt32(body, list.Count);
        Span<byte> id = stackalloc byte[16];
        foreach (TopicRecord topic in list)
        {
            AppendString(body, topic.Name);
            topic.Id.TryWriteBytes(id, bigEndian: true, out _);
            body.AddRange(id);
            AppendInt32(body, topic.Partitions);
            body.Add(topic.Deleting ? (byte)1 : (byte)0);
            AppendInt16(body, checked((short)topic.Config.Count));
            foreach ((string key, string value) in topic.Config)
            {
                AppendString(body, key);
                AppendString(body, value);
            }
        }

        byte[] file = new byte[HeaderSize + body.Count];
        BinaryPrimitives.WriteUInt32BigEndian(file, Magic);
        body.CopyTo(file, HeaderSize);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(4), Crc32C.Compute(file.AsSpan(HeaderSize)));
        return file;
    }

    public static List<TopicRecord> Decode(ReadOnlySpan<byte> file, string path)
    {
        if (file.Length < HeaderSize + 6 || BinaryPrimitives.ReadUInt32BigEndian(file) != Magic)
        {
            throw Corrupt(path, $"it is {file.Length} bytes long and does not start with the topic metadata header");
        }

        uint stored = BinaryPrimitives.ReadUInt32BigEndian(file[4..]);
        uint actual = Crc32C.Compute(file[HeaderSize..]);
        if (stored != actual)
        {
            throw Corrupt(path, $"its CRC-32C is 0x{actual:x8} but 0x{stored:x8} was stored");
        }

        var reader = new Reader(file[HeaderSize..]);
        short version = reader.Int16();
        if (version != Version)
        {
            throw Corrupt(path, $"it has format version {version}; this version of CommitLog reads version {Version} only");
        }

        int count = reader.Int32();
        var topics = new List<TopicRecord>(Math.Min(count, 4096));
        for (int i = 0; i < count; i++)
        {
            string name = reader.String();
            var id = new Guid(reader.Bytes(16), bigEndian: true);
            int partitions = reader.Int32();
            bool deleting = (reader.Bytes(1)[0] & 1) != 0;
            int configs = reader.Int16();
            var config = new List<KeyValuePair<string, string>>(configs);
            for (int c = 0; c < configs; c++)
            {
                config.Add(new(reader.String(), reader.String()));
            }

            topics.Add(new TopicRecord(name, id, partitions, deleting, config));
        }

        return topics;
    }

    private static CorruptRecordException Corrupt(string path, string why)
        => new($"The topic metadata file '{path}' is damaged: {why}. Restore it from a backup; the partition directories are intact.", path);

    private static void AppendInt16(List<byte> body, short value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteInt16BigEndian(bytes, value);
        body.AddRange(bytes);
    }

    private static void AppendInt32(List<byte> body, int value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        body.AddRange(bytes);
    }

    private static void AppendString(List<byte> body, string value)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(value);
        AppendInt16(body, checked((short)utf8.Length));
        body.AddRange(utf8);
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        public ReadOnlySpan<byte> Bytes(int count)
        {
            if (count < 0 || _position + count > _data.Length)
            {
                // The CRC matched, so this is a writer bug rather than damage; report it the same way.
                throw new CorruptRecordException(
                    $"The topic metadata ends early: {count} bytes needed at {_position}, {_data.Length - _position} left.");
            }

            ReadOnlySpan<byte> slice = _data.Slice(_position, count);
            _position += count;
            return slice;
        }

        public short Int16() => BinaryPrimitives.ReadInt16BigEndian(Bytes(2));

        public int Int32() => BinaryPrimitives.ReadInt32BigEndian(Bytes(4));

        public string String() => Encoding.UTF8.GetString(Bytes(Int16()));
    }
}
