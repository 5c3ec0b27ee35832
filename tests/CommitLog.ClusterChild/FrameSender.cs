using System.Threading.Channels;
using CommitLog.Replication.Transport;

namespace CommitLog.ClusterChild;

/// <summary>Sends frames on one connection in the order they were queued, from one task (a connection takes one send at a time).</summary>
internal sealed class FrameSender
{
    private readonly Channel<(byte Type, byte[] Payload)> _queue = Channel.CreateUnbounded<(byte, byte[])>(new UnboundedChannelOptions { SingleReader = true });

    public FrameSender(IReplicationConnection connection)
    {
        Completion = Task.Run(async () =>
        {
            try
            {
                await foreach (var (type, payload) in _queue.Reader.ReadAllAsync())
                {
                    await connection.SendAsync(type, payload);
                }
            }
            catch (TransportException)
            {
                _queue.Writer.TryComplete();
            }
        });
    }

    public Task Completion { get; }

    public void Send(byte type, byte[] payload) => _queue.Writer.TryWrite((type, payload));

    public void Complete() => _queue.Writer.TryComplete();
}
