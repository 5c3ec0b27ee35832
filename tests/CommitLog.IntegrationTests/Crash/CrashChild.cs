using System.Diagnostics;
using System.Text;

namespace CommitLog.IntegrationTests.Crash;

/// <summary>
/// A running crash child (tests/CommitLog.CrashChild): started with <c>dotnet &lt;child dll&gt;</c>, optionally under
/// strace, its stdout collected as whole lines. A last line without its newline (cut by a kill) is dropped.
/// </summary>
internal sealed class CrashChild : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource<bool> _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _stdoutPump;
    private readonly Task _stderrPump;

    private CrashChild(Process process)
    {
        _process = process;
        _stdoutPump = Task.Run(PumpStdoutAsync);
        _stderrPump = Task.Run(PumpStderrAsync);
    }

    /// <summary>Gets the path of the child program, copied next to the tests by the project file.</summary>
    public static string DllPath => Path.Combine(AppContext.BaseDirectory, "crash-child", "CommitLog.CrashChild.dll");

    /// <summary>Gets a task that completes with true once the child printed OPEN, or false if it exited first.</summary>
    public Task<bool> Opened => _opened.Task;

    /// <summary>Gets the exit code (valid once the child has exited).</summary>
    public int ExitCode => _process.ExitCode;

    public bool HasExited => _process.HasExited;

    /// <summary>Gets what the child wrote to stderr so far.</summary>
    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Gets the whole lines printed so far.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>Starts the child with <paramref name="arguments"/> (key=value pairs); <paramref name="wrapper"/> is a command run in front of dotnet (strace).</summary>
    public static CrashChild Start(IEnumerable<string> arguments, IReadOnlyList<string>? wrapper = null)
        => StartProgram(DllPath, arguments, wrapper);

    /// <summary>Starts another child program (<paramref name="dllPath"/>) that follows the same line protocol.</summary>
    public static CrashChild StartProgram(string dllPath, IEnumerable<string> arguments, IReadOnlyList<string>? wrapper = null)
    {
        Assert.True(File.Exists(dllPath), $"The child program was not built to {dllPath}; build tests/CommitLog.IntegrationTests.");
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (wrapper is { Count: > 0 })
        {
            start.FileName = wrapper[0];
            foreach (var w in wrapper.Skip(1))
            {
                start.ArgumentList.Add(w);
            }

            start.ArgumentList.Add(DotnetHost);
        }
        else
        {
            start.FileName = DotnetHost;
        }

        start.ArgumentList.Add(dllPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_TieredPGO"] = "0";
        return new CrashChild(Process.Start(start) ?? throw new InvalidOperationException("Process.Start returned null."));
    }

    /// <summary>Sends SIGKILL to the child (and its process tree) and waits until it and its output are gone.</summary>
    public async Task KillAsync(CancellationToken cancellationToken)
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        await WaitForExitAsync(TimeSpan.FromSeconds(30), cancellationToken);
    }

    /// <summary>Waits for the child to exit and its output to be read; false on timeout.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(timeoutSource.Token);
            await Task.WhenAll(_stdoutPump, _stderrPump).WaitAsync(timeoutSource.Token);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
            catch (InvalidOperationException)
            {
            }
        }

        _process.Dispose();
    }

    private static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host
        : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self
        : "dotnet";

    private async Task PumpStdoutAsync()
    {
        var stream = _process.StandardOutput.BaseStream;
        var buffer = new byte[64 * 1024];
        var pending = new List<byte>();
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] != (byte)'\n')
                {
                    pending.Add(buffer[i]);
                    continue;
                }

                var line = Encoding.UTF8.GetString([.. pending]);
                pending.Clear();
                lock (_lines)
                {
                    _lines.Add(line);
                }

                if (line.StartsWith("OPEN ", StringComparison.Ordinal))
                {
                    _opened.TrySetResult(true);
                }
            }
        }

        _opened.TrySetResult(false);
    }

    private async Task PumpStderrAsync()
    {
        var reader = _process.StandardError;
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            lock (_stderr)
            {
                if (_stderr.Length < 64 * 1024)
                {
                    _stderr.Append(buffer, 0, read);
                }
            }
        }
    }
}
