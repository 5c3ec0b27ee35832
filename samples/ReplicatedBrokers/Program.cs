// Three broker processes on this machine replicate a topic over TCP. The supervisor (this program without arguments)
// starts them, produces through one of them with acks=all, kills the partition's leader with SIGKILL, keeps producing
// while a follower takes over, restarts the killed broker, and checks that every acknowledged record is on every replica
// exactly once. `node <id> <config>` runs one broker (the supervisor starts these).
using ReplicatedBrokers;

return args is ["node", var id, var config]
    ? await BrokerProcess.RunAsync(int.Parse(id, System.Globalization.CultureInfo.InvariantCulture), config)
    : await Supervisor.RunAsync(args.Length > 0 ? args[0] : null);
