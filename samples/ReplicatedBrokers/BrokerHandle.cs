using System.Diagnostics;
using System.Threading.Channels;

namespace ReplicatedBrokers;

/// <summary>A broker child process: commands go to its stdin; its answer lines come back through a channel.</summary>
internal sealed class BrokerHandle
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();

    private BrokerHandle(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                _lines.Writer.TryWrite(line);
            }
            else
            {
                _lines.Writer.TryComplete();
            }
        };
        _process.BeginOutputReadLine();
    }

    public static BrokerHandle Start(int nodeId, string configFile)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };

        // Run as `dotnet ReplicatedBrokers.dll` when started that way, else through the app host.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(BrokerHandle).Assembly.Location);
        }

        foreach (var argument in new[] { "node", nodeId.ToString(System.Globalization.CultureInfo.InvariantCulture), configFile })
        {
            start.ArgumentList.Add(argument);
        }

        return new BrokerHandle(Process.Start(start)!);
    }

    /// <summary>Waits for the next line starting with <paramref name="prefix"/>, skipping others.</summary>
    public async Task<string> ExpectAsync(string prefix, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var line = await _lines.Reader.ReadAsync(cancel.Token);
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return line;
                }

                if (line.StartsWith("unknown", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException(line);
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No '{prefix}' line from a broker within {timeout.TotalSeconds} s.");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"A broker exited while '{prefix}' was expected (exit code {(_process.HasExited ? _process.ExitCode : -1)}).");
        }
    }

    public async Task<string> AskAsync(string command, string answerPrefix, TimeSpan timeout)
    {
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
        return await ExpectAsync(answerPrefix, timeout);
    }

    public void Kill() => _process.Kill(entireProcessTree: true);

    public async Task StopAsync()
    {
        try
        {
            await _process.StandardInput.WriteLineAsync("exit");
            await _process.StandardInput.FlushAsync();
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
    }
}
