namespace CommitLog.Storage.IO;

/// <summary>
/// An <see cref="IOException"/> raised by the storage layer that carries both the platform error code (the
/// errno on Unix, the HRESULT on Windows, in <see cref="Exception.HResult"/>) and the original exception.
/// </summary>
internal sealed class SegmentIOException : IOException
{
    internal SegmentIOException(string message, int errorCode, Exception? innerException = null)
        : base(message, innerException)
    {
        HResult = errorCode;
    }
}
