namespace CommitLog;

/// <summary>
/// The type of a key or value that is always <see langword="null"/>, for use with <see cref="Serializers.Null"/>
/// and <see cref="Deserializers.Null"/>. It has no instances.
/// </summary>
public sealed class Null
{
    private Null()
    {
    }
}
