namespace CommitLog.TestKit;

/// <summary>What a crash of <see cref="SimulatedStorage"/> leaves of the writes and directory changes that were not yet durable.</summary>
public enum PowerLossMode
{
    /// <summary>A process crash (kill -9): the OS survives, so every completed write and directory change is kept.</summary>
    ProcessCrash,

    /// <summary>Only what was flushed survives; every unflushed write and every un-synced directory change is lost.</summary>
    DropUnflushed,

    /// <summary>Per file, a random prefix of the unflushed writes survives; a random prefix of the un-synced directory
    /// changes survives.</summary>
    KeepPrefix,

    /// <summary>Per file, a random subset of the 4 KiB pages changed since the last flush survives, and the length is either the
    /// flushed or the written one; a random subset of the un-synced directory changes survives.</summary>
    KeepRandomPages,

    /// <summary>Per file, a random prefix of the unflushed writes survives and the last of them is torn inside a 512-byte sector:
    /// the rest of that sector holds the old bytes, zeros or garbage; a random prefix of the directory changes survives.</summary>
    TornWrite,

    /// <summary>Per file, the length grown by unflushed writes survives but their data does not: it reads as zeros;
    /// a random prefix of the directory changes survives.</summary>
    ZeroFilledExtension,

    /// <summary>Each file independently gets one of the power-loss modes above (not <see cref="ProcessCrash"/>);
    /// a random subset of the directory changes survives.</summary>
    Random,
}
