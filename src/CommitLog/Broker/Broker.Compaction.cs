using CommitLog.Storage;

namespace CommitLog;

/// <content>The background log cleaner: compacts the partitions of topics whose cleanup.policy includes compact.</content>
public sealed partial class Broker
{
    private readonly CancellationTokenSource _cleanerStop = new();
    private ITimer? _cleanerTimer;
    private Task _cleanerRun = Task.CompletedTask;
    private int _cleanerBusy;

    /// <summary>
    /// Compacts every partition of <paramref name="topic"/> now (the work the background cleaner does every
    /// <see cref="BrokerOptions.LogCleanerBackoff"/>), for tests and administration.
    /// </summary>
    /// <param name="topic">The topic; its cleanup.policy must include compact for anything to happen.</param>
    /// <param name="force">Clean even below <c>min.cleanable.dirty.ratio</c>.</param>
    /// <param name="cancellationToken">Cancels between partitions.</param>
    /// <returns>One result per partition, in partition order.</returns>
    /// <exception cref="UnknownTopicOrPartitionException">The topic does not exist.</exception>
    internal async Task<IReadOnlyList<CompactionResult>> CompactAsync(string topic, bool force, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ThrowIfDisposed();
        if (!_topics.TryGetValue(topic, out TopicState? state))
        {
            throw new UnknownTopicOrPartitionException(topic, null, $"Topic '{topic}' does not exist.");
        }

        var results = new List<CompactionResult>(state.Partitions.Length);
        foreach (PartitionSlot slot in state.Partitions)
        {
            cancellationToken.ThrowIfCancellationRequested();
            results.Add(await CompactPartitionAsync(slot, force, cancellationToken).ConfigureAwait(false));
        }

        return results;
    }

    private static async Task<CompactionResult> CompactPartitionAsync(PartitionSlot slot, bool force, CancellationToken cancellationToken)
    {
        while (true)
        {
            PartitionLog log = slot.Log;
            try
            {
                return await log.CompactAsync(force, cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                // A config change may have reopened the log: clean the new one.
                if (!await slot.WaitForReplacementAsync(log, cancellationToken).ConfigureAwait(false))
                {
                    throw;
                }
            }
        }
    }

    /// <summary>Starts the background cleaner (when <see cref="BrokerOptions.LogCleanerBackoff"/> is set).</summary>
    private void StartCleaner()
    {
        if (_options.LogCleanerBackoff is { } backoff)
        {
            _cleanerTimer = _options.TimeProvider.CreateTimer(static s => ((Broker)s!).OnCleanerTick(), this, backoff, backoff);
        }
    }

    private void OnCleanerTick()
    {
        if (_cleanerStop.IsCancellationRequested || Interlocked.Exchange(ref _cleanerBusy, 1) != 0)
        {
            return; // the previous run is still going: skip this tick
        }

        _cleanerRun = Task.Run(RunCleanerAsync);
    }

    private async Task RunCleanerAsync()
    {
        try
        {
            foreach (TopicState state in _topics.Values)
            {
                if ((state.Config.CleanupPolicy & CleanupPolicy.Compact) == 0)
                {
                    continue;
                }

                for (int p = 0; p < state.Partitions.Length && !_cleanerStop.IsCancellationRequested; p++)
                {
                    try
                    {
                        await state.Partitions[p].Log.CompactAsync(force: false, _cleanerStop.Token).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is ObjectDisposedException or OperationCanceledException)
                    {
                        // The log was closed or reopened, or the broker is closing: the next tick sees the new state.
                    }
#pragma warning disable CA1031 // Background boundary: the cleaner retries at the next tick; the failure is logged.
                    catch (Exception e)
#pragma warning restore CA1031
                    {
                        BrokerLogMessages.CompactionFailed(_logger, e, state.Name, p);
                    }
                }
            }
        }
        finally
        {
            Volatile.Write(ref _cleanerBusy, 0);
        }
    }

    /// <summary>Stops the background cleaner and waits for a run in progress.</summary>
    private async Task StopCleanerAsync()
    {
        await _cleanerStop.CancelAsync().ConfigureAwait(false);
        if (_cleanerTimer is not null)
        {
            await _cleanerTimer.DisposeAsync().ConfigureAwait(false);
        }

        await _cleanerRun.ConfigureAwait(false);
        _cleanerStop.Dispose();
    }
}
