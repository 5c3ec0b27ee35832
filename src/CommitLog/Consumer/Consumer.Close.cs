namespace CommitLog;

/// <content>Close: final auto-commit, bounded group leave, stop fetching.</content>
internal sealed partial class Consumer<TKey, TValue>
{
    private Task? _closing;

    public void Close() => CloseAsync().GetAwaiter().GetResult();

    public void Dispose() => Close();

    public ValueTask DisposeAsync() => new(CloseAsync());

    private Task CloseAsync()
    {
        lock (_gate)
        {
            return _closing ??= CloseCoreAsync();
        }
    }

    private async Task CloseCoreAsync()
    {
        await Task.Yield();
        _autoCommitTimer?.Dispose();
        using var bound = new CancellationTokenSource(_settings.CloseTimeout, _time);
        if (_config.EnableAutoCommit && _config.GroupId is not null)
        {
            await AutoCommitAsync(bound.Token).ConfigureAwait(false);
        }

        if (_membership is { } membership)
        {
            try
            {
                await membership.LeaveAsync(this, bound.Token).ConfigureAwait(false);
                await membership.DisposeAsync().ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Closing goes on: the group removes a member that did not leave after session.timeout.ms.
            catch (Exception e)
#pragma warning restore CA1031
            {
                ConsumerLogMessages.LeaveFailed(_logger, e, Name, GroupId);
            }
        }

        List<Task> loops;
        lock (_gate)
        {
            Interlocked.Exchange(ref _closed, 1);
            loops = StopFetchers(_order.ToList());
        }

        _signal.Notify();
        try
        {
            await Task.WhenAll(loops).WaitAsync(_settings.CloseTimeout, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        ConsumerMetrics.Unregister(this);
        ConsumerLogMessages.Closed(_logger, Name);
    }
}
