using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CommitLog.Storage.Tests.Reliability;

/// <summary>
/// Model-based test (STYLE.md §12): random op sequences (append, read, roll, truncate, DeleteRecordsBefore, retention,
/// flush, clean reopen, crash + reopen under every power-loss mode) run on the real log over the simulated disk and
/// on <see cref="LogModel"/>; every step is checked against the model. A failure shrinks to a minimal sequence
/// (smaller codes are simpler ops; <see cref="LogOps.Describe"/> names them in the failure message).
/// Long run: COMMITLOG_MODEL_TESTS=5000.
/// </summary>
public class LogModelPropertyTests
{
    [Property(MaxTest = 150)]
    public void Log_RandomOpSequence_MatchesModel(int[] codes) => Run(codes);

    [Fact]
    public void Log_RandomOpSequence_LongRun_MatchesModel()
    {
        var count = ReliabilityConfig.Int("COMMITLOG_MODEL_TESTS", 0);
        if (count == 0)
        {
            Assert.Skip("Long run: set COMMITLOG_MODEL_TESTS to the number of sequences (CI runs the [Property] above).");
        }

        var config = Config.QuickThrowOnFailure.WithMaxTest(count).WithEndSize(200);
        Check.One(config, Prop.ForAll<int[]>(Run));
    }

    [Theory]
    [InlineData(new[] { 0, 6 + (13 * 1), 5, 10 + (13 * 2), 0 })]           // append, delete into the batch, truncate, crash
    [InlineData(new[] { 12, 12, 4, 8, 6 + (13 * 15), 9, 10 + (13 * 8), 7 })] // big batches, roll, flush, delete, reopen, crash
    public void Log_PinnedSequence_MatchesModel(int[] codes) => Run(codes);

    private static void Run(int[] codes)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        Task.Run(() => RunAsync(codes, cancellationToken), cancellationToken).GetAwaiter().GetResult();
    }

    private static async Task RunAsync(int[] codes, CancellationToken cancellationToken)
    {
        await using var h = new LogHarness();
        var done = new List<string>();
        try
        {
            h.Open(FlushPolicy.Os);
            foreach (var code in codes)
            {
                done.Add(LogOps.Describe(code));
                await LogOps.ApplyAsync(h, code, cancellationToken);
            }

            h.VerifyAll("end of sequence");
            await h.AppendAfterReopenAsync(cancellationToken);
        }
        catch (Exception e)
        {
            throw new ModelViolationException($"after ops [{string.Join(", ", done)}]: {e.Message}\n{e}");
        }
    }
}
