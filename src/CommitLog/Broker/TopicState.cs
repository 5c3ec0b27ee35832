namespace CommitLog;

/// <summary>An open topic: its stored record, its settings and one slot per partition. Replaced fields are published
/// whole, so readers never need a lock; writers hold the broker's admin gate.</summary>
internal sealed class TopicState(TopicRecord record, TopicConfig config, PartitionSlot[] partitions)
{
    public string Name => Record.Name;

    public TopicRecord Record
    {
        get => Volatile.Read(ref field);
        set => Volatile.Write(ref field, value);
    } = record;

    public TopicConfig Config
    {
        get => Volatile.Read(ref field);
        set => Volatile.Write(ref field, value);
    } = config;

    public PartitionSlot[] Partitions
    {
        get => Volatile.Read(ref field);
        set => Volatile.Write(ref field, value);
    } = partitions;
}
