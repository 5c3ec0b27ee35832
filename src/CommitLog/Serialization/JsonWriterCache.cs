using System.Buffers;
using System.Text.Json;

namespace CommitLog;

/// <summary>
/// One reusable <see cref="Utf8JsonWriter"/> per thread, so JSON serialization on the produce path does not allocate
/// a writer per record. A writer with different options replaces the cached one.
/// </summary>
internal static class JsonWriterCache
{
    private static readonly ArrayBufferWriter<byte> Detached = new(1);

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>Takes the thread's writer, pointed at <paramref name="output"/>; give it back with <see cref="Return"/>.</summary>
    public static Utf8JsonWriter Rent(IBufferWriter<byte> output, JsonWriterOptions options)
    {
        Utf8JsonWriter? writer = t_writer;
        t_writer = null; // a nested serialization on this thread gets its own writer
        if (writer is null || !SameOptions(writer.Options, options))
        {
            return new Utf8JsonWriter(output, options);
        }

        writer.Reset(output);
        return writer;
    }

    /// <summary>Keeps the writer for the next record, without holding on to the caller's buffer.</summary>
    public static void Return(Utf8JsonWriter writer)
    {
        writer.Reset(Detached);
        t_writer = writer;
    }

    private static bool SameOptions(JsonWriterOptions a, JsonWriterOptions b) =>
        ReferenceEquals(a.Encoder, b.Encoder) && a.Indented == b.Indented && a.MaxDepth == b.MaxDepth
        && a.SkipValidation == b.SkipValidation && a.IndentCharacter == b.IndentCharacter && a.IndentSize == b.IndentSize && a.NewLine == b.NewLine;
}
