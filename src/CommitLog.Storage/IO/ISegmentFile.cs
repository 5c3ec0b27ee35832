namespace CommitLog.Storage.IO;

/// <summary>
/// An open file of the log, addressed by absolute position (pread/pwrite semantics, no shared file pointer).
/// Reads and writes at different positions may run concurrently; the log serializes writes to one file.
/// </summary>
public interface ISegmentFile : IDisposable
{
    /// <summary>Gets the full path of the file.</summary>
    string Path { get; }

    /// <summary>Gets the current length of the file in bytes.</summary>
    long Length { get; }

    /// <summary>Reads up to <paramref name="destination"/>.Length bytes at <paramref name="position"/>.</summary>
    /// <returns>The number of bytes read; fewer than requested only at the end of the file.</returns>
    /// <exception cref="IOException">The read failed.</exception>
    int Read(long position, Span<byte> destination);

    /// <summary>Writes all of <paramref name="source"/> at <paramref name="position"/>, extending the file if needed.</summary>
    /// <exception cref="IOException">The write failed (for example, the disk is full); part of it may have been written.</exception>
    void Write(long position, ReadOnlySpan<byte> source);

    /// <summary>
    /// Makes every completed write durable (fdatasync). Returns only if the device confirmed it; a failure is
    /// reported as an exception and must never be retried and then trusted.
    /// </summary>
    /// <exception cref="IOException">The flush failed.</exception>
    void Flush();

    /// <summary>Truncates or extends the file to <paramref name="length"/> bytes.</summary>
    /// <exception cref="IOException">The operation failed.</exception>
    void SetLength(long length);
}
