using System.Globalization;
using CommitLog.Storage;

namespace CommitLog.IntegrationTests.Crash;

/// <summary>An acknowledgement the child printed: records <c>Seq..</c> of <c>Writer</c> are at <c>First..Last</c>.</summary>
internal readonly record struct Ack(long First, long Last, Durability Durability, int Writer, long Seq)
{
    public long KeyAt(long offset) => CommitLog.CrashChild.CrashRecord.Key(Writer, Seq + (offset - First));

    public override string ToString() => $"ACK {First}..{Last} {Durability} writer {Writer} seq {Seq}";
}

/// <summary>An append that threw in the child.</summary>
internal readonly record struct Failure(int Writer, long Seq, string ExceptionType, bool FailStopped, string Message);

/// <summary>Parses the child's stdout lines.</summary>
internal static class ChildEvents
{
    public static List<Ack> Acks(IEnumerable<string> lines)
    {
        var acks = new List<Ack>();
        foreach (var line in lines)
        {
            if (line.StartsWith("ACK ", StringComparison.Ordinal))
            {
                acks.Add(ParseAck(line));
            }
        }

        return acks;
    }

    public static Ack ParseAck(string line)
    {
        var p = line.Split(' ');
        Assert.True(p.Length == 6, $"Malformed ACK line from the child: '{line}'.");
        return new Ack(Long(p[1]), Long(p[2]), Enum.Parse<Durability>(p[3]), (int)Long(p[4]), Long(p[5]));
    }

    public static List<Failure> Failures(IEnumerable<string> lines)
    {
        var failures = new List<Failure>();
        foreach (var line in lines)
        {
            if (line.StartsWith("FAIL ", StringComparison.Ordinal))
            {
                var p = line.Split(' ', 6);
                failures.Add(new Failure((int)Long(p[1]), Long(p[2]), p[3], p[4] == "1", p.Length > 5 ? p[5] : string.Empty));
            }
        }

        return failures;
    }

    private static long Long(string text) => long.Parse(text, CultureInfo.InvariantCulture);
}
