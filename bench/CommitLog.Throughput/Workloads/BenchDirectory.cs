namespace CommitLog.Throughput.Workloads;

/// <summary>A fresh directory under the harness root, deleted (with everything in it) on dispose.</summary>
internal sealed class BenchDirectory : IDisposable
{
    private static int _sequence;

    public BenchDirectory(string root, string name)
    {
        Path = System.IO.Path.Combine(root, $"{name}-{Interlocked.Increment(ref _sequence)}");
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }

        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A contender may still hold a file for a moment; the root is removed at exit as well.
        }
    }
}
