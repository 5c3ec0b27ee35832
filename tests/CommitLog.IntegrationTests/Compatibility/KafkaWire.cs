using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace CommitLog.IntegrationTests.Compatibility;

/// <summary>
/// Just enough of the Kafka wire protocol (pre-flexible versions, request header v1) to put record batches on a
/// broker with Produce v3 and read the stored bytes back with Fetch v4. Used against librdkafka's mock cluster.
/// </summary>
internal sealed class KafkaWire : IDisposable
{
    private const short ProduceKey = 0;
    private const short FetchKey = 1;
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private int _correlationId;

    private KafkaWire(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public static async Task<KafkaWire> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(host, port, cancellationToken);
        return new KafkaWire(client);
    }

    /// <summary>Produce v3 of one record set to one partition; returns (errorCode, baseOffset).</summary>
    public async Task<(short ErrorCode, long BaseOffset)> ProduceAsync(string topic, int partition, byte[] records, CancellationToken cancellationToken)
    {
        var body = new Writer();
        body.Int16(-1);        // transactional_id: null
        body.Int16(-1);        // acks: all
        body.Int32(5000);      // timeout_ms
        body.Int32(1);         // topics
        body.String(topic);
        body.Int32(1);         // partitions
        body.Int32(partition);
        body.Int32(records.Length);
        body.Bytes(records);

        var response = new Reader(await SendAsync(ProduceKey, 3, body, cancellationToken));
        Expect(response.Int32() == 1, "one topic");
        response.String();
        Expect(response.Int32() == 1, "one partition");
        response.Int32();
        short error = response.Int16();
        long baseOffset = response.Int64();
        return (error, baseOffset);
    }

    /// <summary>Fetch v4 from one partition; returns (errorCode, highWatermark, record set bytes).</summary>
    public async Task<(short ErrorCode, long HighWatermark, byte[] Records)> FetchAsync(
        string topic, int partition, long offset, CancellationToken cancellationToken)
    {
        var body = new Writer();
        body.Int32(-1);          // replica_id: a consumer
        body.Int32(100);         // max_wait_ms
        body.Int32(1);           // min_bytes
        body.Int32(4 << 20);     // max_bytes
        body.Int8(0);            // isolation_level: read uncommitted
        body.Int32(1);           // topics
        body.String(topic);
        body.Int32(1);           // partitions
        body.Int32(partition);
        body.Int64(offset);
        body.Int32(4 << 20);     // partition_max_bytes

        var response = new Reader(await SendAsync(FetchKey, 4, body, cancellationToken));
        response.Int32();        // throttle_time_ms
        Expect(response.Int32() == 1, "one topic");
        response.String();
        Expect(response.Int32() == 1, "one partition");
        response.Int32();
        short error = response.Int16();
        long highWatermark = response.Int64();
        response.Int64();        // last_stable_offset
        int aborted = response.Int32();
        for (int i = 0; i < aborted; i++)
        {
            response.Int64();
            response.Int64();
        }

        int length = response.Int32();
        return (error, highWatermark, length <= 0 ? [] : response.Bytes(length));
    }

    public void Dispose()
    {
        _stream.Dispose();
        _client.Dispose();
    }

    private static void Expect(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidDataException($"Unexpected Kafka response: expected {what}.");
        }
    }

    private async Task<byte[]> SendAsync(short apiKey, short apiVersion, Writer body, CancellationToken cancellationToken)
    {
        int correlationId = ++_correlationId;
        var request = new Writer();
        request.Int32(0);        // size, patched below
        request.Int16(apiKey);
        request.Int16(apiVersion);
        request.Int32(correlationId);
        request.String("commitlog-compat");
        request.Bytes(body.ToArray());
        byte[] bytes = request.ToArray();
        BinaryPrimitives.WriteInt32BigEndian(bytes, bytes.Length - 4);
        await _stream.WriteAsync(bytes, cancellationToken);

        byte[] sizeBytes = new byte[4];
        await _stream.ReadExactlyAsync(sizeBytes, cancellationToken);
        byte[] response = new byte[BinaryPrimitives.ReadInt32BigEndian(sizeBytes)];
        await _stream.ReadExactlyAsync(response, cancellationToken);
        Expect(BinaryPrimitives.ReadInt32BigEndian(response) == correlationId, $"correlation id {correlationId}");
        return response[4..];
    }

    private sealed class Writer
    {
        private readonly MemoryStream _buffer = new();

        public void Int8(sbyte value) => _buffer.WriteByte((byte)value);

        public void Int16(short value)
        {
            Span<byte> b = stackalloc byte[2];
            BinaryPrimitives.WriteInt16BigEndian(b, value);
            _buffer.Write(b);
        }

        public void Int32(int value)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(b, value);
            _buffer.Write(b);
        }

        public void Int64(long value)
        {
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteInt64BigEndian(b, value);
            _buffer.Write(b);
        }

        public void String(string value)
        {
            byte[] utf8 = Encoding.UTF8.GetBytes(value);
            Int16((short)utf8.Length);
            _buffer.Write(utf8);
        }

        public void Bytes(ReadOnlySpan<byte> value) => _buffer.Write(value);

        public byte[] ToArray() => _buffer.ToArray();
    }

    private sealed class Reader(byte[] data)
    {
        private int _position;

        public short Int16() => BinaryPrimitives.ReadInt16BigEndian(Take(2));

        public int Int32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

        public long Int64() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

        public string String()
        {
            short length = Int16();
            return length < 0 ? "" : Encoding.UTF8.GetString(Take(length));
        }

        public byte[] Bytes(int length) => Take(length).ToArray();

        private ReadOnlySpan<byte> Take(int count)
        {
            ReadOnlySpan<byte> span = data.AsSpan(_position, count);
            _position += count;
            return span;
        }
    }
}
