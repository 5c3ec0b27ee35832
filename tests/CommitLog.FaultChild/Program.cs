using CommitLog.Storage.IO;

namespace CommitLog.FaultChild;

/// <summary>
/// Runs one durability call per line of output, each reported as <c>name: ok</c> or <c>name: ExceptionType: message</c>,
/// so that a parent test can run this process under <c>strace -e inject=...</c> and see which calls noticed the error.
/// </summary>
/// <remarks>
/// Usage: <c>CommitLog.FaultChild flush &lt;directory&gt;</c>: writes a file and flushes it through
/// <see cref="FileSegmentStorage"/> ("barrier"), through <see cref="RandomAccess.FlushToDisk"/> ("flushtodisk") and
/// through <see cref="FileStream.Flush(bool)"/> ("filestream"), then syncs the directory ("syncdir").
/// <c>CommitLog.FaultChild write &lt;directory&gt;</c>: one write through <see cref="FileSegmentStorage"/> ("write").
/// </remarks>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length != 2 || args[0] is not ("flush" or "write"))
        {
            Console.Error.WriteLine("usage: CommitLog.FaultChild flush|write <directory>");
            return 2;
        }

        string directory = args[1];
        string path = Path.Combine(directory, "00000000000000000000.log");
        ISegmentStorage storage = FileSegmentStorage.Instance;
        using ISegmentFile file = storage.OpenFile(path, create: true);
        if (args[0] == "write")
        {
            Report("write", () => file.Write(0, new byte[4096]));
            return 0;
        }

        file.Write(0, "some record batches"u8);
        Report("barrier", file.Flush);
        using (var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite))
        {
            RandomAccess.Write(handle, "more"u8, 0);
            Report("flushtodisk", () => RandomAccess.FlushToDisk(handle));
        }

        using (var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite))
        {
            stream.Write("again"u8);
            Report("filestream", () => stream.Flush(flushToDisk: true));
        }

        Report("syncdir", () => storage.SyncDirectory(directory));
        return 0;
    }

    private static void Report(string name, Action call)
    {
        try
        {
            call();
            Console.WriteLine($"{name}: ok");
        }
        catch (Exception e)
        {
            Console.WriteLine($"{name}: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
        }
    }
}
