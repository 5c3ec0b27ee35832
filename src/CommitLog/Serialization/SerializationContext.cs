namespace CommitLog;

/// <summary>What a serializer or deserializer is working on: the topic, key or value, and the record's headers.</summary>
public readonly record struct SerializationContext
{
    /// <summary>Creates a context.</summary>
    /// <param name="component">Whether the key or the value is being (de)serialized.</param>
    /// <param name="topic">The topic.</param>
    /// <param name="headers">The record's headers (a serializer may add to them), or <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="topic"/> is <see langword="null"/>.</exception>
    public SerializationContext(MessageComponentType component, string topic, Headers? headers = null)
    {
        ArgumentNullException.ThrowIfNull(topic);
        Component = component;
        Topic = topic;
        Headers = headers;
    }

    /// <summary>Gets whether the key or the value is being (de)serialized.</summary>
    public MessageComponentType Component { get; }

    /// <summary>Gets the topic.</summary>
    public string Topic { get; }

    /// <summary>Gets the record's headers, or <see langword="null"/>.</summary>
    public Headers? Headers { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Component} of a record in topic '{Topic}'";
}
