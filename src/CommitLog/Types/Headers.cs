using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace CommitLog;

/// <summary>
/// The ordered headers of a record. Keys may repeat, as in Kafka; the "last" accessors return the latest value
/// added for a key. This class is not thread-safe.
/// </summary>
public sealed class Headers : IReadOnlyList<Header>
{
    private readonly List<Header> _headers = [];

    /// <summary>Gets the number of headers.</summary>
    public int Count => _headers.Count;

    /// <summary>Gets the header at a position.</summary>
    /// <param name="index">The 0-based position.</param>
    /// <returns>The header.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside [0, <see cref="Count"/>).</exception>
    public Header this[int index] => _headers[index];

    /// <summary>Appends a header.</summary>
    /// <param name="key">The header key.</param>
    /// <param name="value">The value, or <see langword="null"/>; not copied.</param>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is <see langword="null"/>.</exception>
    public void Add(string key, byte[]? value) => _headers.Add(new Header(key, value));

    /// <summary>Appends a header.</summary>
    /// <param name="header">The header.</param>
    /// <exception cref="ArgumentException"><paramref name="header"/> is a default value without a key.</exception>
    public void Add(Header header)
    {
        if (header.Key is null)
        {
            throw new ArgumentException("The header has no key (a default Header value); create it with new Header(key, value).",
                nameof(header));
        }

        _headers.Add(header);
    }

    /// <summary>Removes every header with a key.</summary>
    /// <param name="key">The header key.</param>
    /// <returns>The number of headers removed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is <see langword="null"/>.</exception>
    public int Remove(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _headers.RemoveAll(h => string.Equals(h.Key, key, StringComparison.Ordinal));
    }

    /// <summary>Finds the value most recently added for a key.</summary>
    /// <param name="key">The header key (ordinal comparison).</param>
    /// <param name="value">The value (which may itself be <see langword="null"/>), when found.</param>
    /// <returns><see langword="true"/> when a header with the key exists.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is <see langword="null"/>.</exception>
    public bool TryGetLastBytes(string key, [MaybeNullWhen(false)] out byte[]? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        for (int i = _headers.Count - 1; i >= 0; i--)
        {
            if (string.Equals(_headers[i].Key, key, StringComparison.Ordinal))
            {
                value = _headers[i].Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    /// <summary>Returns the value most recently added for a key.</summary>
    /// <param name="key">The header key (ordinal comparison).</param>
    /// <returns>The value, which may be <see langword="null"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is <see langword="null"/>.</exception>
    /// <exception cref="KeyNotFoundException">No header has the key.</exception>
    public byte[]? GetLastBytes(string key) =>
        TryGetLastBytes(key, out byte[]? value) ? value : throw new KeyNotFoundException($"No header with key '{key}'.");

    /// <summary>Returns an enumerator over the headers in order.</summary>
    /// <returns>A struct enumerator (no allocation in <c>foreach</c>).</returns>
    public List<Header>.Enumerator GetEnumerator() => _headers.GetEnumerator();

    IEnumerator<Header> IEnumerable<Header>.GetEnumerator() => _headers.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _headers.GetEnumerator();
}
