namespace CommitLog.Groups;

/// <summary>
/// Who commits offsets for a group: the member id and generation a member got from its last join, or
/// <see cref="None"/> for a consumer outside any generation (manual assignment), which may commit only while the group
/// has no active members (as in Kafka).
/// </summary>
/// <param name="GenerationId">The generation the member joined, or -1 for none.</param>
/// <param name="MemberId">The member id the coordinator gave, or empty for none.</param>
/// <param name="GroupInstanceId">The static member id (<c>group.instance.id</c>), if any.</param>
internal readonly record struct GroupGeneration(int GenerationId, string MemberId, string? GroupInstanceId)
{
    /// <summary>Gets the generation of a consumer that is not a group member.</summary>
    public static GroupGeneration None => new(-1, string.Empty, null);

    /// <summary>Gets whether this is <see cref="None"/>.</summary>
    public bool IsNone => GenerationId < 0;
}
