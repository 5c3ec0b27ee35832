namespace CommitLog.TestKit;

/// <summary>
/// A fault for <see cref="SimulatedStorage.AddFault"/>: the <see cref="Nth"/> matching call after the rule was added
/// fails (and, if <see cref="Persistent"/>, every matching call after it).
/// </summary>
public sealed class StorageFaultRule
{
    /// <summary>Gets the kind of call to fail.</summary>
    public required StorageOperation Operation { get; init; }

    /// <summary>Gets which matching call fails, counting from 1 after the rule was added.</summary>
    public int Nth
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = 1;

    /// <summary>Gets the error to raise.</summary>
    public StorageFaultKind Kind { get; init; } = StorageFaultKind.DeviceError;

    /// <summary>Gets a filter on the path of the call; null matches every path.</summary>
    public Func<string, bool>? PathFilter { get; init; }

    /// <summary>Gets a value indicating whether every matching call from the <see cref="Nth"/> on fails.</summary>
    public bool Persistent { get; init; }

    /// <summary>Gets a value indicating whether a failing write first writes a random prefix (from the storage's seed) of its
    /// bytes.</summary>
    public bool PartialWrite { get; init; }

    internal int Seen { get; set; }
}
