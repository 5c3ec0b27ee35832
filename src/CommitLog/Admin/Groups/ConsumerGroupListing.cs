namespace CommitLog;

/// <summary>One group in <see cref="BrokerAdmin.ListConsumerGroupsAsync"/>.</summary>
/// <param name="GroupId">The group id.</param>
/// <param name="State">The group's state.</param>
/// <param name="IsSimpleConsumerGroup">Whether the group only has committed offsets and never had members that joined
/// (consumers that assign partitions themselves and commit under a <c>group.id</c>).</param>
public sealed record ConsumerGroupListing(string GroupId, ConsumerGroupState State, bool IsSimpleConsumerGroup);
