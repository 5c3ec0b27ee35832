namespace CommitLog.Storage;

/// <summary>The compression codec of a record batch: bits 0–2 of the RecordBatch v2 attributes.</summary>
public enum CompressionType
{
    /// <summary>No compression.</summary>
    None = 0,

    /// <summary>GZIP (RFC 1952).</summary>
    Gzip = 1,

    /// <summary>Snappy (Kafka's xerial framing). Reserved: not supported yet.</summary>
    Snappy = 2,

    /// <summary>LZ4 frame format with independent blocks.</summary>
    Lz4 = 3,

    /// <summary>Zstandard. Reserved: not supported yet.</summary>
    Zstd = 4,
}
