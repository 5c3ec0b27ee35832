using System.Buffers;

namespace CommitLog.Replication.Protocol;

/// <summary>An encoded message in an array rented from <see cref="ArrayPool{T}.Shared"/>: its first <see cref="Length"/> bytes.</summary>
/// <param name="Buffer">The rented array (longer than the message).</param>
/// <param name="Length">The message's length.</param>
internal readonly record struct PooledPayload(byte[] Buffer, int Length)
{
    /// <summary>Gets the message bytes.</summary>
    public ReadOnlyMemory<byte> Memory => Buffer.AsMemory(0, Length);

    /// <summary>Returns the array to the pool; the payload must not be used afterwards.</summary>
    public void Return()
    {
        if (Buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(Buffer);
        }
    }
}
