namespace CommitLog;

/// <summary>
/// The type of a key or value the consumer does not deserialize (<see cref="Deserializers.Ignore"/>); always
/// <see langword="null"/>. It has no instances.
/// </summary>
public sealed class Ignore
{
    private Ignore()
    {
    }
}
