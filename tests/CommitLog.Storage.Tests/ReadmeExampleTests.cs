using CommitLog.Storage.Tests.IO;

namespace CommitLog.Storage.Tests;

/// <summary>
/// README.md's first C# example, copied verbatim into a test (only its directory is moved under a temporary one), and
/// a check that the copy still equals the README, so the documented example always compiles and runs.
/// </summary>
public class ReadmeExampleTests
{
    private const string ReadmeDirectory = "\"data/order-events-0\"";
    private const string TestDirectory = "Path.Combine(directory.Path, \"data/order-events-0\")";
    private const string BeginMarker = "// README example: begin";
    private const string EndMarker = "// README example: end";

    [Fact]
    public async Task ReadmeExample_Runs_AppendsAndReadsTheRecordBack()
    {
        using var directory = new TempDirectory();
        using var console = new ConsoleCapture();
#pragma warning disable xUnit1051 // verbatim README code: it passes no cancellation token
        // README example: begin
        await using var log = PartitionLog.Open(Path.Combine(directory.Path, "data/order-events-0"), new LogOptions
        {
            FlushPolicy = FlushPolicy.BeforeAck,     // fsync before acknowledging, shared by concurrent appends
            SegmentBytes = 64 << 20,                 // segment.bytes
            RetentionMs = TimeSpan.FromDays(7),      // retention.ms
        });

        using var batch = new RecordBatchBuilder(CompressionType.Lz4);
        batch.Append(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "alice"u8.ToArray(), "{\"order\":1}"u8.ToArray());
        AppendResult appended = await log.AppendAsync(batch.Build());   // offsets, and Durability.Flushed

        using LogReadResult read = await log.ReadAsync(offset: 0, maxBytes: 1 << 20, minBytes: 1, maxWait: TimeSpan.FromSeconds(1));
        foreach (RecordBatch stored in RecordBatch.ReadAll(read.Records))
            foreach (Record record in stored.GetRecords())
                Console.WriteLine($"{record.Offset}: {record.Timestamp}");
        // README example: end
#pragma warning restore xUnit1051

        Assert.Equal((0L, 0L, Durability.Flushed), (appended.FirstOffset, appended.LastOffset, appended.Durability));
        var line = Assert.Single(console.Text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("0: ", line, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadmeExample_CopyInTest_MatchesReadmeVerbatim()
    {
        var root = RepositoryRoot();
        var readme = File.ReadAllLines(Path.Combine(root, "README.md"));
        var start = Array.FindIndex(readme, l => l.Trim() == "```csharp");
        Assert.True(start >= 0, "README.md has no ```csharp block");
        var end = Array.FindIndex(readme, start + 1, l => l.Trim() == "```");
        var block = readme[(start + 1)..end].ToList();

        // The README's using directives belong at the top of a file: the test file must have them there.
        var source = File.ReadAllLines(Path.Combine(root, "tests", "CommitLog.Storage.Tests", "ReadmeExampleTests.cs"));
        while (block.Count > 0 && (block[0].StartsWith("using ", StringComparison.Ordinal) && block[0].EndsWith(';') || block[0].Length == 0))
        {
            var directive = block[0];
            Assert.True(directive.Length == 0 || source.Contains(directive) || directive == "using CommitLog.Storage;",
                $"the README example needs '{directive}', which the test file does not have");
            block.RemoveAt(0);
        }

        var begin = Array.FindIndex(source, l => l.Trim() == BeginMarker);
        var finish = Array.FindIndex(source, l => l.Trim() == EndMarker);
        Assert.True(begin >= 0 && finish > begin, "the markers of the copied example are missing");
        var copy = source[(begin + 1)..finish];
        var indent = copy.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        var normalized = copy.Select(l => (l.Length >= indent ? l[indent..] : l.TrimStart()).Replace(TestDirectory, ReadmeDirectory, StringComparison.Ordinal))
            .ToList();
        Assert.Equal(block, normalized);
    }

    private static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "CommitLog.sln")) && File.Exists(Path.Combine(d.FullName, "README.md")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException($"No repository root (with CommitLog.sln and README.md) above {AppContext.BaseDirectory}.");
    }

    /// <summary>Captures what the example writes to the console, and restores the console on dispose.</summary>
    private sealed class ConsoleCapture : IDisposable
    {
        private readonly TextWriter _original = Console.Out;
        private readonly StringWriter _writer = new();

        public ConsoleCapture() => Console.SetOut(_writer);

        public string Text => _writer.ToString();

        public void Dispose()
        {
            Console.SetOut(_original);
            _writer.Dispose();
        }
    }
}
