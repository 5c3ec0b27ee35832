namespace CommitLog;

/// <summary>
/// Kafka's topic name rules: 1 to 249 characters from <c>[a-zA-Z0-9._-]</c>, and not <c>.</c> or <c>..</c>.
/// Names that differ only in <c>.</c> versus <c>_</c> collide, because metric names replace dots with underscores;
/// Kafka refuses to create a topic that collides with an existing one, and so does CommitLog.
/// </summary>
public static class TopicName
{
    /// <summary>The longest allowed name (Kafka's <c>Topic.MAX_NAME_LENGTH</c>).</summary>
    public const int MaxLength = 249;

    /// <summary>Returns whether a name is a legal topic name.</summary>
    /// <param name="name">The name.</param>
    /// <returns><see langword="true"/> when <paramref name="name"/> is legal.</returns>
    public static bool IsValid(string? name) => Check(name, "topic name") is null;

    /// <summary>Checks a topic name.</summary>
    /// <param name="name">The name.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, too long, <c>.</c> or <c>..</c>, or has an illegal character;
    /// the message says which.</exception>
    public static void Validate(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Check(name, "topic name") is { } error)
        {
            throw new ArgumentException(error, nameof(name));
        }
    }

    /// <summary>Returns whether a name contains <c>.</c> or <c>_</c>, the characters that can make two names collide.</summary>
    /// <param name="name">The name.</param>
    /// <returns><see langword="true"/> when the name has a period or an underscore.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    public static bool HasCollisionChars(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.AsSpan().IndexOfAny('.', '_') >= 0;
    }

    /// <summary>Returns the name with every <c>.</c> replaced by <c>_</c>: two names collide when these are equal.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The unified name.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    public static string UnifyCollisionChars(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Replace('.', '_');
    }

    /// <summary>
    /// Returns whether two topic names collide: they are equal once <c>.</c> and <c>_</c> are treated alike
    /// (<c>a.b</c> and <c>a_b</c>). Equal names collide too.
    /// </summary>
    /// <param name="first">One name.</param>
    /// <param name="second">The other name.</param>
    /// <returns><see langword="true"/> when the names collide.</returns>
    /// <exception cref="ArgumentNullException">A name is <see langword="null"/>.</exception>
    public static bool Collide(string first, string second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.Length != second.Length)
        {
            return false;
        }

        for (int i = 0; i < first.Length; i++)
        {
            char a = first[i] == '.' ? '_' : first[i];
            char b = second[i] == '.' ? '_' : second[i];
            if (a != b)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Returns why a name is not legal, or <see langword="null"/> when it is. Shared with <c>group.instance.id</c>, which has the
    /// same rules.</summary>
    internal static string? Check(string? name, string what)
    {
        if (string.IsNullOrEmpty(name))
        {
            return $"The {what} is empty; it needs 1 to {MaxLength} characters from [a-zA-Z0-9._-].";
        }

        if (name is "." or "..")
        {
            return $"The {what} cannot be \".\" or \"..\".";
        }

        if (name.Length > MaxLength)
        {
            return $"The {what} has {name.Length} characters; at most {MaxLength} are allowed.";
        }

        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-'))
            {
                return $"The {what} \"{name}\" contains '{c}' (U+{(int)c:X4}); only ASCII letters, digits, '.', '_' and '-' are allowed.";
            }
        }

        return null;
    }
}
