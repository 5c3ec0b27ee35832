using System.Diagnostics;

namespace CommitLog.IntegrationTests.Cluster;

/// <summary>A running tests/CommitLog.ClusterChild: stdout collected as timestamped whole lines, stdin for "STOP",
/// SIGKILL, SIGSTOP and SIGCONT.</summary>
internal sealed class ClusterChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<(DateTime At, string Line)> _lines = [];
    private readonly Task _stdout;
    private readonly Task _stderr;
    private readonly System.Text.StringBuilder _errors = new();

    private ClusterChildProcess(Process process)
    {
        _process = process;
        _stdout = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (_lines)
                {
                    _lines.Add((DateTime.UtcNow, line));
                    if (line.StartsWith("ACK ", StringComparison.Ordinal))
                    {
                        AckCount++;
                    }
                    else if (line.StartsWith("META ", StringComparison.Ordinal))
                    {
                        LastMeta = line;
                    }
                }
            }
        });
        _stderr = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync() is { } line)
            {
                lock (_errors)
                {
                    if (_errors.Length < 16_384)
                    {
                        _errors.AppendLine(line);
                    }
                }
            }
        });
    }

    public static string DllPath => Path.Combine(AppContext.BaseDirectory, "cluster-child", "CommitLog.ClusterChild.dll");

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Gets the exit code once the process has exited.</summary>
    public int ExitCode => _process.ExitCode;

    public bool Paused { get; private set; }

    /// <summary>Gets the last META line, or null.</summary>
    public string? LastMeta { get; private set; }

    /// <summary>Gets the number of ACK lines so far.</summary>
    public int AckCount { get; private set; }

    public string Stderr
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToString();
            }
        }
    }

    public IReadOnlyList<(DateTime At, string Line)> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public static ClusterChildProcess Start(IEnumerable<string> arguments)
    {
        Assert.True(File.Exists(DllPath), $"The cluster child was not built to {DllPath}; build tests/CommitLog.IntegrationTests.");
        var start = new ProcessStartInfo
        {
            FileName = IO.ChildProcess.DotNetHost,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(DllPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_TieredPGO"] = "0";
        return new ClusterChildProcess(Process.Start(start) ?? throw new InvalidOperationException("Process.Start returned null."));
    }

    public async Task KillAsync()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }

        await WaitForExitAsync(TimeSpan.FromSeconds(30));
    }

    public void Pause()
    {
        Signal("STOP");
        Paused = true;
    }

    public void Resume()
    {
        Signal("CONT");
        Paused = false;
    }

    public async Task SendLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Returns the last line starting with <paramref name="prefix"/>, or null.</summary>
    public string? LastLine(string prefix)
    {
        lock (_lines)
        {
            for (var i = _lines.Count - 1; i >= 0; i--)
            {
                if (_lines[i].Line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return _lines[i].Line;
                }
            }
        }

        return null;
    }

    /// <summary>Asks the child to stop cleanly (it prints DONE and exits); false if it did not within the timeout.</summary>
    public async Task<bool> StopAsync(TimeSpan timeout)
    {
        await SendLineAsync("STOP");
        return await WaitForExitAsync(timeout);
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var source = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(source.Token);
            await Task.WhenAll(_stdout, _stderr).WaitAsync(source.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            if (Paused)
            {
                Resume();
            }

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

    private void Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", $"-{signal} {_process.Id}") { UseShellExecute = false })
            ?? throw new InvalidOperationException("Could not start kill.");
        kill.WaitForExit();
        Assert.True(kill.ExitCode == 0, $"kill -{signal} {_process.Id} failed.");
    }
}
