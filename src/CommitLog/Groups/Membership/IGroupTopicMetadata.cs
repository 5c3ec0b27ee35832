namespace CommitLog.Groups.Membership;

/// <summary>What a group member needs to know about topics: their partition counts (for the assignor) and their names
/// (for regex subscriptions). The broker implements it; tests use a dictionary.</summary>
internal interface IGroupTopicMetadata
{
    /// <summary>Returns the partition count of a topic, or false if it does not exist.</summary>
    bool TryGetPartitionCount(string topic, out int count);

    /// <summary>Returns every topic name.</summary>
    IReadOnlyList<string> ListTopics();
}
