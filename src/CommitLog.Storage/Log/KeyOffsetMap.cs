using System.IO.Hashing;

namespace CommitLog.Storage;

/// <summary>The cleaner's map from a record key to the latest offset written with it in the dirty part of the log.</summary>
internal sealed class KeyOffsetMap
{
    private readonly Dictionary<byte[], long> _latest = new(KeyComparer.Instance);
    private readonly Dictionary<byte[], long>.AlternateLookup<ReadOnlySpan<byte>> _lookup;

    public KeyOffsetMap() => _lookup = _latest.GetAlternateLookup<ReadOnlySpan<byte>>();

    public int Count => _latest.Count;

    /// <summary>Records <paramref name="offset"/> as the latest offset of <paramref name="key"/> (call in offset order).</summary>
    public void Put(ReadOnlySpan<byte> key, long offset) => _lookup[key] = offset;

    /// <summary>Returns the latest offset of <paramref name="key"/>, or -1 if the dirty part does not hold it.</summary>
    public long Get(ReadOnlySpan<byte> key) => _lookup.TryGetValue(key, out var offset) ? offset : -1;

    private sealed class KeyComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly KeyComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x is null ? y is null : y is not null && x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => GetHashCode(obj.AsSpan());

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate) => unchecked((int)XxHash3.HashToUInt64(alternate));

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
