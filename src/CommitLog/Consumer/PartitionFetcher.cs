using CommitLog.Storage;
using Microsoft.Extensions.Logging;

namespace CommitLog;

/// <summary>
/// Reads one assigned partition ahead of the consumer: a background loop awaits <see cref="Broker.ReadAsync"/> (woken by
/// appends, honouring <c>fetch.min.bytes</c>/<c>fetch.max.wait.ms</c>) and queues the fetched chunks; it stops fetching
/// while <c>max.partition.fetch.bytes</c> are queued or the consumer's <see cref="FetchBudget"/> is spent, so a slow
/// consumer holds bounded memory. The consumer side (<c>PartitionFetcher.Reader.cs</c>) takes chunks and decodes records.
/// </summary>
/// <remarks>Fetch side: the loop and the queue are guarded by a private lock. Consumer side: called only under the consumer's lock.</remarks>
internal sealed partial class PartitionFetcher
{
    private readonly Broker _broker;
    private readonly FetchSettings _settings;
    private readonly FetchBudget _budget;
    private readonly DataSignal _consumerSignal;
    private readonly DataSignal _room = new();
    private readonly ILogger _logger;
    private readonly Lock _sync = new();
    private readonly Queue<FetchedChunk> _queue = new();
    private long _queuedBytes;
    private int _generation;
    private CancellationTokenSource? _cts;
    private Task _loop = Task.CompletedTask;
    private long _highWatermark = -1;
    private long _logStartOffset = -1;

    public PartitionFetcher(TopicPartition topicPartition, Broker broker, FetchSettings settings, FetchBudget budget, DataSignal consumerSignal, ILogger logger)
    {
        TopicPartition = topicPartition;
        _broker = broker;
        _settings = settings;
        _budget = budget;
        _consumerSignal = consumerSignal;
        _logger = logger;
    }

    public TopicPartition TopicPartition { get; }

    /// <summary>Gets the high watermark seen by the last fetch, or -1.</summary>
    public long HighWatermark => Volatile.Read(ref _highWatermark);

    /// <summary>Gets the log start offset seen by the last fetch, or -1.</summary>
    public long LogStartOffset => Volatile.Read(ref _logStartOffset);

    /// <summary>Gets the bytes fetched and not yet handed to the consumer (for tests and metrics).</summary>
    public long QueuedBytes => Interlocked.Read(ref _queuedBytes);

    /// <summary>Gets a value indicating whether anything (data or a notice) is queued.</summary>
    private bool HasQueuedNotice
    {
        get
        {
            lock (_sync)
            {
                return _queue.Count > 0;
            }
        }
    }

    /// <summary>Drops everything fetched and starts fetching at <paramref name="offset"/> (or parks <paramref name="error"/>).</summary>
    public void Start(long offset, Exception? error = null)
    {
        CancellationToken token;
        int generation;
        lock (_sync)
        {
            StopLocked();
            generation = ++_generation;
            _cts = new CancellationTokenSource();
            token = _cts.Token;
            if (error is not null)
            {
                _queue.Enqueue(FetchedChunk.ForError(offset, error));
            }
        }

        ResetReader(offset);
        if (error is null)
        {
            _loop = Task.Run(() => RunAsync(offset, generation, token), CancellationToken.None);
        }
        else
        {
            _consumerSignal.Notify();
        }
    }

    /// <summary>Stops fetching and drops everything fetched; returns the loop so a closing consumer can wait for it.</summary>
    public Task Stop()
    {
        lock (_sync)
        {
            StopLocked();
            _generation++;
        }

        ReleaseCurrent();
        return _loop;
    }

    private void StopLocked()
    {
        // Cancelled, not disposed: the loop may still be about to read its token.
        _cts?.Cancel();
        _cts = null;
        while (_queue.TryDequeue(out FetchedChunk? chunk))
        {
            Discard(chunk);
        }

        _queuedBytes = 0;
        _room.Notify();
    }

    private void Discard(FetchedChunk chunk)
    {
        if (chunk.Data is { } data)
        {
            data.Dispose();
            _budget.Release(chunk.ChargedBytes);
        }
    }

    /// <summary>Takes the next fetched chunk, or null when none is queued.</summary>
    private FetchedChunk? TryDequeue()
    {
        FetchedChunk? chunk;
        lock (_sync)
        {
            if (!_queue.TryDequeue(out chunk))
            {
                return null;
            }

            _queuedBytes -= chunk.ChargedBytes;
        }

        _room.Notify();
        return chunk;
    }

    private bool TryEnqueue(FetchedChunk chunk, int generation)
    {
        lock (_sync)
        {
            if (generation != _generation)
            {
                return false;
            }

            _queue.Enqueue(chunk);
            _queuedBytes += chunk.ChargedBytes;
        }

        _consumerSignal.Notify();
        return true;
    }

    private async Task RunAsync(long offset, int generation, CancellationToken cancellationToken)
    {
        long endPosted = -1;
        try
        {
            while (true)
            {
                await WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
                int reserved = _settings.MaxPartitionFetchBytes;
                await _budget.AcquireAsync(reserved, cancellationToken).ConfigureAwait(false);
                LogReadResult? result = null;
                long started = _settings.Time.GetTimestamp();
                try
                {
                    result = _settings.EnablePartitionEof && endPosted != offset ? _broker.Read(TopicPartition, offset, reserved) : null;
                    if (result is { IsEmpty: true })
                    {
                        result.Dispose();
                        result = null;
                        endPosted = offset;
                        if (!TryEnqueue(FetchedChunk.ForEnd(offset), generation))
                        {
                            return;
                        }
                    }

                    result ??= await _broker.ReadAsync(TopicPartition, offset, reserved, _settings.MinBytes, _settings.MaxWait, cancellationToken)
                        .ConfigureAwait(false);
                }
                catch (OffsetOutOfRangeException e) when (_settings.Reset != AutoOffsetReset.Error)
                {
                    _budget.Release(reserved);
                    long reset = _settings.Reset == AutoOffsetReset.Earliest ? e.LogStartOffset : e.LogEndOffset;
                    ConsumerLogMessages.OffsetReset(_logger, TopicPartition, offset, reset, _settings.Reset);
                    offset = reset;
                    if (!TryEnqueue(FetchedChunk.ForReset(reset), generation))
                    {
                        return;
                    }

                    continue;
                }
                catch
                {
                    _budget.Release(reserved);
                    throw;
                }

                _budget.Adjust(reserved, result.Length);
                Volatile.Write(ref _highWatermark, result.HighWatermark);
                Volatile.Write(ref _logStartOffset, result.LogStartOffset);
                if (result.IsEmpty)
                {
                    result.Dispose();
                    continue;
                }

                ConsumerMetrics.Fetched(TopicPartition.Topic, _settings.Time.GetElapsedTime(started));
                long next = result.NextOffset;
                if (!TryEnqueue(FetchedChunk.ForData(result, result.Length), generation))
                {
                    result.Dispose();
                    _budget.Release(result.Length);
                    return;
                }

                ConsumerLogMessages.Fetched(_logger, TopicPartition, offset, result.Length);
                offset = next;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // The loop's boundary: the failure is handed to the consumer, which throws it from Consume.
        catch (Exception e)
#pragma warning restore CA1031
        {
            ConsumerLogMessages.FetchFailed(_logger, e, TopicPartition, offset);
            TryEnqueue(FetchedChunk.ForError(offset, e), generation);
        }
    }

    private async ValueTask WaitForRoomAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task room = _room.WaitTask();
            if (Interlocked.Read(ref _queuedBytes) < _settings.MaxPartitionFetchBytes)
            {
                return;
            }

            await room.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
