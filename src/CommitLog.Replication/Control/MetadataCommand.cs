using System.Buffers;

namespace CommitLog.Replication.Control;

/// <summary>
/// One change to the cluster metadata, as the control plane commits it (an entry of the Raft log, or of the static
/// plane's file). <see cref="ClusterMetadataState.Apply"/> turns a command into the next metadata version.
/// </summary>
public abstract record MetadataCommand
{
    private protected MetadataCommand()
    {
    }

    /// <summary>Gets the byte that identifies the command type in the encoding.</summary>
    private protected abstract byte TypeCode { get; }

    /// <summary>Writes the command's binary form: a type byte, then its fields (big-endian).</summary>
    /// <param name="writer">Where the bytes go.</param>
    public void Encode(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var output = new MetadataWriter(writer);
        output.WriteByte(TypeCode);
        EncodeFields(ref output);
    }

    /// <summary>Returns the command's binary form as a new array.</summary>
    public byte[] ToBytes()
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        Encode(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a command written by <see cref="Encode"/>.</summary>
    /// <param name="data">The bytes of exactly one command.</param>
    /// <returns>The command.</returns>
    /// <exception cref="FormatException">The bytes are not a valid command (unknown type, truncated, bad lengths, trailing bytes).</exception>
    public static MetadataCommand Decode(ReadOnlySpan<byte> data)
    {
        var input = new MetadataReader(data);
        MetadataCommand command = input.ReadByte() switch
        {
            RegisterBroker.Code => RegisterBroker.DecodeFields(ref input),
            FenceBroker.Code => new FenceBroker(input.ReadInt32()),
            UnfenceBroker.Code => new UnfenceBroker(input.ReadInt32()),
            CreateTopic.Code => CreateTopic.DecodeFields(ref input),
            AlterIsr.Code => AlterIsr.DecodeFields(ref input),
            ElectLeader.Code => ElectLeader.DecodeFields(ref input),
            var other => throw new FormatException(
                $"Unknown metadata command type {other}; known types are {RegisterBroker.Code} to {ElectLeader.Code}."),
        };
        input.EnsureEnd();
        return command;
    }

    private protected abstract void EncodeFields(ref MetadataWriter output);
}
