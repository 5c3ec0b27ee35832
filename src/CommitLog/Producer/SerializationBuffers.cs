using System.Buffers;

namespace CommitLog;

/// <summary>Per-thread buffers the key and value are serialized into before they are copied into a batch.</summary>
internal static class SerializationBuffers
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_key;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_value;

    public static ArrayBufferWriter<byte> Key => Reset(t_key ??= new ArrayBufferWriter<byte>(256));

    public static ArrayBufferWriter<byte> Value => Reset(t_value ??= new ArrayBufferWriter<byte>(1024));

    private static ArrayBufferWriter<byte> Reset(ArrayBufferWriter<byte> writer)
    {
        writer.ResetWrittenCount();
        return writer;
    }
}
