namespace CommitLog.Groups;

/// <summary>Checks consumer group ids.</summary>
internal static class GroupIds
{
    /// <summary>Throws when <paramref name="groupId"/> is null or empty (Kafka INVALID_GROUP_ID).</summary>
    /// <param name="groupId">The group id.</param>
    /// <exception cref="ArgumentNullException"><paramref name="groupId"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="groupId"/> is empty.</exception>
    public static void Validate(string groupId)
    {
        ArgumentNullException.ThrowIfNull(groupId);
        if (groupId.Length == 0)
        {
            throw new ArgumentException("The group id cannot be empty (Kafka INVALID_GROUP_ID).", nameof(groupId));
        }
    }
}
