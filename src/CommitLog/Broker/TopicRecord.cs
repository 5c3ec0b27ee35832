namespace CommitLog;

/// <summary>One topic as the metadata file stores it.</summary>
/// <param name="Name">The topic name.</param>
/// <param name="Id">The topic id, new for every creation.</param>
/// <param name="Partitions">The partition count.</param>
/// <param name="Deleting">Whether a deletion has started: the topic is gone for users, its directories are being removed.</param>
/// <param name="Config">The settings that differ from Kafka's defaults, as Kafka key/value strings.</param>
internal sealed record TopicRecord(
    string Name, Guid Id, int Partitions, bool Deleting, IReadOnlyList<KeyValuePair<string, string>> Config);
