using CommitLog.Storage;

namespace CommitLog;

/// <content>Positions: seek, position, watermarks, offsets for times, pause and resume.</content>
internal sealed partial class Consumer<TKey, TValue>
{
    public void Seek(TopicPartitionOffset topicPartitionOffset)
    {
        ArgumentNullException.ThrowIfNull(topicPartitionOffset.Topic, nameof(topicPartitionOffset));
        TopicPartition tp = topicPartitionOffset.TopicPartition;
        lock (_gate)
        {
            ThrowIfClosed();
            PartitionFetcher fetcher = GetAssigned(tp, "seek");
            PartitionLog log = GetLog(tp);
            long offset = topicPartitionOffset.Offset.Value switch
            {
                var o when o == Offset.Beginning.Value => log.LogStartOffset,
                var o when o == Offset.End.Value => log.HighWatermark,
                >= 0 and var o => CheckOffset(tp, o, log, "seek to"),
                _ => throw new ArgumentOutOfRangeException(nameof(topicPartitionOffset), topicPartitionOffset.Offset,
                    $"Cannot seek partition {tp} to {topicPartitionOffset.Offset}: use an offset >= 0, Offset.Beginning or Offset.End."),
            };
            fetcher.Start(offset);
            ConsumerLogMessages.Seeked(_logger, tp, offset);
        }
    }

    public void SeekToBeginning(IEnumerable<TopicPartition> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        foreach (TopicPartition tp in partitions.ToList())
        {
            Seek(new TopicPartitionOffset(tp, Offset.Beginning));
        }
    }

    public void SeekToEnd(IEnumerable<TopicPartition> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        foreach (TopicPartition tp in partitions.ToList())
        {
            Seek(new TopicPartitionOffset(tp, Offset.End));
        }
    }

    public Offset Position(TopicPartition partition)
    {
        lock (_gate)
        {
            ThrowIfClosed();
            long position = GetAssigned(partition, "get the position of").Position;
            return position >= 0 ? position : Offset.Unset;
        }
    }

    public IReadOnlyList<TopicPartitionOffset> OffsetsForTimes(IEnumerable<TopicPartitionTimestamp> timestampsToSearch, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(timestampsToSearch);
        ThrowIfClosed();
        var found = new List<TopicPartitionOffset>();
        foreach (TopicPartitionTimestamp search in timestampsToSearch)
        {
            PartitionLog log = GetLog(search.TopicPartition);
            long time = search.Timestamp.UnixTimestampMs;
            if (time < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(timestampsToSearch), time,
                    $"Partition {search.TopicPartition}: the timestamp must be available (Unix milliseconds >= 0).");
            }

            long? offset = log.OffsetForTimestamp(time);
            found.Add(new TopicPartitionOffset(search.TopicPartition, offset is { } o ? o : Offset.End));
        }

        return found;
    }

    public WatermarkOffsets GetWatermarkOffsets(TopicPartition topicPartition)
    {
        lock (_gate)
        {
            ThrowIfClosed();
            if (!_fetchers.TryGetValue(topicPartition, out PartitionFetcher? fetcher) || fetcher.HighWatermark < 0)
            {
                return new WatermarkOffsets(Offset.Unset, Offset.Unset);
            }

            return new WatermarkOffsets(fetcher.LogStartOffset, fetcher.HighWatermark);
        }
    }

    public WatermarkOffsets QueryWatermarkOffsets(TopicPartition topicPartition, TimeSpan timeout)
    {
        ThrowIfClosed();
        PartitionLog log = GetLog(topicPartition);
        long high = log.HighWatermark;
        return new WatermarkOffsets(Math.Min(log.LogStartOffset, high), high);
    }

    public void Pause(IEnumerable<TopicPartition> partitions) => SetPaused(partitions, paused: true);

    public void Resume(IEnumerable<TopicPartition> partitions) => SetPaused(partitions, paused: false);

    private void SetPaused(IEnumerable<TopicPartition> partitions, bool paused)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        var list = partitions.ToList();
        lock (_gate)
        {
            ThrowIfClosed();
            var fetchers = list.Select(tp => GetAssigned(tp, paused ? "pause" : "resume")).ToList();
            foreach (PartitionFetcher fetcher in fetchers)
            {
                fetcher.Paused = paused;
            }
        }

        if (!paused)
        {
            _signal.Notify(); // a consumer waiting may find records of the resumed partitions already fetched
        }
    }
}
