namespace CommitLog.Storage;

/// <summary>Looks up the <see cref="ICompressionCodec"/> of a <see cref="CompressionType"/>.</summary>
internal static class CompressionCodecs
{
    /// <summary>The codecs this build reads and writes, in the words used by error messages.</summary>
    public const string Supported = "None (0), Gzip (1) and Lz4 (3)";

    /// <summary>Returns the codec for <paramref name="type"/>, or <see langword="null"/> for <see cref="CompressionType.None"/>.</summary>
    /// <exception cref="NotSupportedException"><paramref name="type"/> is Snappy, Zstd or not a codec id.</exception>
    public static ICompressionCodec? Get(CompressionType type) => type switch
    {
        CompressionType.None => null,
        CompressionType.Gzip => GzipCodec.Instance,
        CompressionType.Lz4 => Lz4Codec.Instance,
        _ => throw new NotSupportedException(
            $"Compression {type} ({(int)type}) is not supported. Supported codecs: {Supported}."),
    };

    /// <summary>Returns whether <paramref name="type"/> can be read and written.</summary>
    public static bool IsSupported(CompressionType type)
        => type is CompressionType.None or CompressionType.Gzip or CompressionType.Lz4;
}
