using System.Buffers;

namespace CommitLog.Storage;

/// <summary>Drains a decompressor into a buffer writer without ever producing more than a caller-chosen size.</summary>
internal static class BoundedCopy
{
    private const int ChunkBytes = 16 * 1024;

    /// <summary>
    /// Calls <paramref name="read"/> until it returns 0, appending to <paramref name="destination"/>; throws as soon
    /// as the output exceeds <paramref name="maxBytes"/> (a decompression bomb or a forged batch).
    /// </summary>
    /// <exception cref="CorruptRecordException">The output is larger than <paramref name="maxBytes"/>.</exception>
    public static void Run(Func<Span<byte>, int> read, IBufferWriter<byte> destination, int maxBytes, string codec)
    {
        long total = 0;
        while (true)
        {
            // Ask for one byte more than allowed, so an oversized stream is detected without reading it all.
            int want = (int)Math.Min(ChunkBytes, (long)maxBytes - total + 1);
            Span<byte> span = destination.GetSpan(want)[..want];
            int n = read(span);
            if (n <= 0)
            {
                return;
            }

            total += n;
            if (total > maxBytes)
            {
                throw FormatErrors.DecompressedTooLarge(codec, maxBytes);
            }

            destination.Advance(n);
        }
    }
}
