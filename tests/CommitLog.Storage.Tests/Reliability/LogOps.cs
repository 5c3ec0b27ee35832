using CommitLog.TestKit;

namespace CommitLog.Storage.Tests.Reliability;

/// <summary>
/// Decodes an integer into one operation on a <see cref="LogHarness"/>, so that op sequences can be generated (and
/// shrunk: smaller codes are simpler operations) by FsCheck or drawn from a seeded <see cref="Random"/>.
/// </summary>
internal static class LogOps
{
    public const int Kinds = 13;

    public static readonly PowerLossMode[] Modes = Enum.GetValues<PowerLossMode>();

    public static FlushPolicy PolicyOf(int n) => (n % 3) switch
    {
        0 => FlushPolicy.Os,
        1 => FlushPolicy.BeforeAck,
        _ => FlushPolicy.Every(messages: 4),
    };

    public static string Describe(int code)
    {
        var c = Normalize(code);
        var a = c / Kinds;
        return (c % Kinds) switch
        {
            0 => $"append {(a % 4) + 1}",
            1 => $"append {(a % 3) + 2} batches x {(a % 5) + 1}",
            2 => $"append 2 x {300 + (a % 500)} B",
            3 => $"read +{a}",
            4 => "roll",
            5 => $"truncate end-{1 + a}",
            6 => $"delete-records-before +{a}",
            7 => "retention",
            8 => "flush",
            9 => $"close, reopen {PolicyOf(a)}",
            10 => $"crash {Modes[a % Modes.Length]} seed {a}, reopen {PolicyOf(a / Modes.Length)}",
            11 => "verify",
            _ => $"append 10 x {100 + (a % 100)} B",
        };
    }

    public static async Task ApplyAsync(LogHarness h, int code, CancellationToken cancellationToken)
    {
        var c = Normalize(code);
        var a = c / Kinds;
        var count = h.Model.End - h.Model.Start;
        switch (c % Kinds)
        {
            case 0:
                await h.AppendAsync([(a % 4) + 1], 16, cancellationToken);
                break;
            case 1:
                await h.AppendAsync([.. Enumerable.Repeat((a % 5) + 1, (a % 3) + 2)], 40, cancellationToken);
                break;
            case 2:
                await h.AppendAsync([2], 300 + (a % 500), cancellationToken);
                break;
            case 3:
                h.Read(h.Model.Start + (a % (count + 1)), 1 + (a % 3000));
                break;
            case 4:
                h.Roll();
                break;
            case 5:
                if (count > 0)
                {
                    h.TruncateTo(h.Model.End - 1 - (a % count));
                }

                break;
            case 6:
                h.DeleteRecordsBefore(h.Model.Start + (a % (count + 1)));
                break;
            case 7:
                h.EnforceRetention();
                break;
            case 8:
                await h.FlushAsync(cancellationToken);
                break;
            case 9:
                await h.CloseAndReopenAsync(PolicyOf(a));
                break;
            case 10:
                await h.CrashAndReopenAsync(Modes[a % Modes.Length], a, PolicyOf(a / Modes.Length));
                break;
            case 11:
                h.VerifyAll("verify op");
                break;
            default:
                await h.AppendAsync([10], 100 + (a % 100), cancellationToken);
                break;
        }
    }

    private static int Normalize(int code) => code == int.MinValue ? 0 : Math.Abs(code);
}
