using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace CommitLog.IntegrationTests.Crash;

/// <summary>
/// The syscalls of a child traced with <c>strace -f -qq -y -xx -s 64 -e trace=fdatasync,pwrite64,write</c>, in the
/// order strace saw them. A thread stays stopped at each traced call's entry and exit until strace has logged it,
/// so the order of the lines respects causality: an ACK written after a flush completed is logged after it.
/// </summary>
internal sealed partial class StraceLog
{
    /// <summary>A segment write: the base offset of the (first) batch written, the file, and the line where it completed.</summary>
    public readonly record struct SegmentWrite(int Line, string Path, long BaseOffset);

    /// <summary>An fdatasync: the line where it was entered and its result (0 or -errno as a negative number).</summary>
    public readonly record struct Sync(int Line, string Path, long Result, bool Injected);

    /// <summary>A line the child wrote to stdout, at the line where the write was entered.</summary>
    public readonly record struct StdoutLine(int Line, string Text);

    private const string PipePrefix = @"\x70\x69\x70\x65"; // "pipe", hex-escaped by -xx

    public List<SegmentWrite> Writes { get; } = [];

    public List<Sync> Syncs { get; } = [];

    public List<StdoutLine> Stdout { get; } = [];

    public static StraceLog Parse(string path)
    {
        var log = new StraceLog();
        var pending = new Dictionary<int, (string Name, string Args, int Line)>();
        var lines = File.ReadAllLines(path);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (ResumedRegex().Match(line) is { Success: true } resumed)
            {
                var pid = int.Parse(resumed.Groups[1].Value, CultureInfo.InvariantCulture);
                if (pending.Remove(pid, out var start))
                {
                    log.Complete(start.Name, start.Args, start.Line, i, resumed.Groups[3].Value);
                }

                continue;
            }

            if (CallRegex().Match(line) is not { Success: true } call)
            {
                continue;
            }

            var name = call.Groups[2].Value;
            var rest = call.Groups[3].Value;
            if (name == "write")
            {
                log.AddStdout(rest, i); // a stdout line counts from the write's entry
            }
            else if (rest.EndsWith("<unfinished ...>", StringComparison.Ordinal))
            {
                pending[int.Parse(call.Groups[1].Value, CultureInfo.InvariantCulture)] = (name, rest, i);
            }
            else
            {
                log.Complete(name, rest, i, i, rest);
            }
        }

        return log;
    }

    private void Complete(string name, string args, int entryLine, int exitLine, string resultText)
    {
        var fd = FdPathRegex().Match(args);
        var path = fd.Success ? Decode(fd.Groups[2].Value) : string.Empty;
        switch (name)
        {
            case "fdatasync" when resultText.Length > 0:
                var result = ResultRegex().Match(resultText);
                Syncs.Add(new Sync(entryLine, path, result.Success ? long.Parse(result.Groups[1].Value, CultureInfo.InvariantCulture) : long.MinValue,
                    resultText.Contains("(INJECTED)", StringComparison.Ordinal)));
                break;
            case "pwrite64" when path.EndsWith(".log", StringComparison.Ordinal) && resultText.Length > 0:
                var data = DataRegex().Match(args);
                var bytes = data.Success ? Encoding.Latin1.GetBytes(Decode(data.Groups[1].Value)) : [];
                if (bytes.Length >= 8 && ResultRegex().Match(resultText) is { Success: true } written && written.Groups[1].Value != "-1")
                {
                    Writes.Add(new SegmentWrite(exitLine, path, BinaryPrimitives.ReadInt64BigEndian(bytes)));
                }

                break;
        }
    }

    private void AddStdout(string args, int line)
    {
        // .NET writes stdout through a dup of fd 1, so the child's lines are recognised by their content.
        if (FdPathRegex().Match(args) is { Success: true } fd && fd.Groups[2].Value.StartsWith(PipePrefix, StringComparison.Ordinal)
            && DataRegex().Match(args) is { Success: true } text)
        {
            foreach (var l in Decode(text.Groups[1].Value).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                Stdout.Add(new StdoutLine(line, l));
            }
        }
    }

    private static string Decode(string escaped)
    {
        if (!escaped.StartsWith("\\x", StringComparison.Ordinal))
        {
            return escaped;
        }

        var builder = new StringBuilder(escaped.Length / 4);
        for (var i = 0; i + 4 <= escaped.Length; i += 4)
        {
            builder.Append((char)Convert.ToByte(escaped.Substring(i + 2, 2), 16));
        }

        return builder.ToString();
    }

    [GeneratedRegex(@"^(\d+)\s+(fdatasync|pwrite64|write)\((.*)$")]
    private static partial Regex CallRegex();

    [GeneratedRegex(@"^(\d+)\s+<\.\.\. (\w+) resumed>(.*)$")]
    private static partial Regex ResumedRegex();

    [GeneratedRegex(@"^(\d+)<([^>]*)>")]
    private static partial Regex FdPathRegex();

    [GeneratedRegex(@"""((?:\\x[0-9a-f]{2})*)""")]
    private static partial Regex DataRegex();

    [GeneratedRegex(@"\)\s*=\s*(-?\d+)")]
    private static partial Regex ResultRegex();
}
