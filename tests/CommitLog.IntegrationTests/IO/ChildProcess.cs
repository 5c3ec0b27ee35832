using System.Diagnostics;

namespace CommitLog.IntegrationTests.IO;

/// <summary>Runs external programs for the I/O fault tests and finds the tools they need.</summary>
internal static class ChildProcess
{
    /// <summary>Gets the path of the fault child's assembly, copied next to the tests by the project reference.</summary>
    public static string FaultChildDll => Path.Combine(AppContext.BaseDirectory, "CommitLog.FaultChild.dll");

    /// <summary>Gets the dotnet host to start the child with.</summary>
    public static string DotNetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
        ? host
        : FindOnPath("dotnet") ?? "dotnet";

    /// <summary>Returns the full path of an executable found on PATH, or null.</summary>
    public static string? FindOnPath(string name)
        => (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    /// <summary>Runs a program to completion (at most 2 minutes) and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(
        string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start '{fileName}'.");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        Task<string> stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Skips the test unless strace exists and may trace child processes here.</summary>
    public static async Task<string> RequireStraceAsync(CancellationToken cancellationToken)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "The strace fault-injection tests run on Linux only.");
        string? strace = FindOnPath("strace");
        Assert.SkipWhen(
            strace is null, "strace is not installed (apt-get install -y strace); the fdatasync/fsync EIO injection tests need it.");
        var (exitCode, _, stderr) = await RunAsync(strace!, ["-f", "-qq", "-e", "trace=fsync", "true"], cancellationToken);
        Assert.SkipWhen(exitCode != 0, $"strace cannot trace processes here (ptrace not permitted?): {stderr.Trim()}");
        return strace!;
    }
}
