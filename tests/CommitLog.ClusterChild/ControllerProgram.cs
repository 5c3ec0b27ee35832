using System.Globalization;
using CommitLog.Replication.Control;

namespace CommitLog.ClusterChild;

/// <summary>
/// The child in <c>mode=controller</c>: runs a <see cref="ClusterController"/> and talks to the parent in lines. It prints
/// <c>CONTROLLER &lt;address&gt;</c> once listening and a <c>META ...</c> line (see <see cref="ClusterController.Describe"/>)
/// after every metadata change; it reads <c>CREATE &lt;topic&gt; &lt;partitions&gt; &lt;replicas&gt; &lt;min.insync&gt;</c>
/// (answered <c>CREATED</c> or <c>REFUSED</c>) and <c>STOP</c>.
/// </summary>
internal static class ControllerProgram
{
    public static async Task<int> RunAsync(byte[] secret, Action<string> print)
    {
        await using var controller = new ClusterController(secret, TimeSpan.FromMilliseconds(1500));
        using var stop = new CancellationTokenSource();
        await controller.StartAsync(stop.Token);
        print($"CONTROLLER {controller.Address}");
        print(controller.Describe());
        var watcher = Task.Run(async () =>
        {
            long version = 0;
            while (!stop.IsCancellationRequested)
            {
                var metadata = await controller.WaitForChangeAsync(version, stop.Token);
                version = metadata.Version;
                print(controller.Describe());
            }
        });
        while (await Console.In.ReadLineAsync() is { } line && line != "STOP")
        {
            var parts = line.Split(' ');
            if (parts[0] == "CREATE" && parts.Length == 5)
            {
                var topic = new ReplicatedTopic(parts[1], Int(parts[2]), Int(parts[3]), Int(parts[4]), UncleanLeaderElection: false);
                print(controller.CreateTopic(topic).Accepted ? "CREATED" : "REFUSED");
            }
        }

        await stop.CancelAsync();
        try
        {
            await watcher;
        }
        catch (OperationCanceledException)
        {
        }

        print("DONE");
        return 0;
    }

    private static int Int(string value) => int.Parse(value, CultureInfo.InvariantCulture);
}
