namespace CommitLog.Storage;

/// <content>Reads that wait for data (Kafka <c>fetch.min.bytes</c> and <c>fetch.max.wait.ms</c>).</content>
public sealed partial class PartitionLog
{
    /// <summary>
    /// Reads like <see cref="Read(long, int)"/>, but when fewer than <paramref name="minBytes"/> bytes are available waits for
    /// appends (woken by them, not by polling) up to <paramref name="maxWait"/> (Kafka <c>fetch.min.bytes</c> and
    /// <c>fetch.max.wait.ms</c>).
    /// </summary>
    /// <param name="offset">The first offset wanted.</param>
    /// <param name="maxBytes">The most bytes to return.</param>
    /// <param name="minBytes">The fewest bytes worth returning before <paramref name="maxWait"/>; 0 returns at once.</param>
    /// <param name="maxWait">The longest time to wait for <paramref name="minBytes"/>.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The batches available when enough arrived or the wait ended; dispose the result.</returns>
    /// <exception cref="OffsetOutOfRangeException"><paramref name="offset"/> is outside the log.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The log was disposed.</exception>
    public ValueTask<LogReadResult> ReadAsync(long offset, int maxBytes, int minBytes, TimeSpan maxWait, CancellationToken cancellationToken = default)
        => ReadAsync(offset, maxBytes, minBytes, maxWait, ReadLimit.HighWatermark, cancellationToken);

    /// <summary>
    /// Reads like <see cref="Read(long, int, ReadLimit)"/>, but when fewer than <paramref name="minBytes"/> bytes are
    /// available waits up to <paramref name="maxWait"/>, woken by appends and by high-watermark advances.
    /// </summary>
    /// <param name="offset">The first offset wanted.</param>
    /// <param name="maxBytes">The most bytes to return.</param>
    /// <param name="minBytes">The fewest bytes worth returning before <paramref name="maxWait"/>; 0 returns at once.</param>
    /// <param name="maxWait">The longest time to wait for <paramref name="minBytes"/>.</param>
    /// <param name="limit">How far the read may go: <see cref="ReadLimit.HighWatermark"/> for consumers, <see cref="ReadLimit.LogEnd"/> for followers.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The batches available when enough arrived or the wait ended; dispose the result.</returns>
    /// <exception cref="OffsetOutOfRangeException"><paramref name="offset"/> is outside the log start and the limit.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The log was disposed.</exception>
    public async ValueTask<LogReadResult> ReadAsync(long offset, int maxBytes, int minBytes, TimeSpan maxWait, ReadLimit limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWait, TimeSpan.Zero);
        var time = _options.TimeProvider;
        var deadline = time.GetTimestamp() + (long)(maxWait.TotalSeconds * time.TimestampFrequency);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var arrived = _dataSignal.WaitTask();
            var result = Read(offset, maxBytes, limit);
            var remaining = TimeSpan.FromSeconds((deadline - time.GetTimestamp()) / (double)time.TimestampFrequency);
            if (result.Length >= Math.Max(minBytes, 1) || minBytes == 0 || remaining <= TimeSpan.Zero)
            {
                return result;
            }

            result.Dispose();
            try
            {
                await arrived.WaitAsync(remaining, time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return Read(offset, maxBytes, limit);
            }
        }
    }
}
