namespace CommitLog;

/// <summary>How a consumer group shares partitions among its members (<c>partition.assignment.strategy</c>).</summary>
public enum PartitionAssignmentStrategy
{
    /// <summary><c>range</c>: per topic, consecutive ranges of partitions to members in order (the default).</summary>
    Range = 0,

    /// <summary><c>roundrobin</c>: all partitions dealt to members in turn.</summary>
    RoundRobin = 1,

    /// <summary><c>cooperative-sticky</c>: keeps existing assignments and moves partitions incrementally (KIP-429).</summary>
    CooperativeSticky = 2,
}
