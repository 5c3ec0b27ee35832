using CommitLog.Throughput;
using CommitLog.Throughput.Reporting;
using CommitLog.Throughput.Workloads;

if (args.Length >= 1 && args[0] == RecoveryWorkload.WriterCommand)
{
    return await RecoveryWorkload.RunWriterAsync(args).ConfigureAwait(false);
}

HarnessOptions options;
try
{
    options = HarnessOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

Directory.CreateDirectory(options.Root);
try
{
    Console.WriteLine($"Machine: {MachineInfo.Describe()}");
    Console.WriteLine($"Data: {options.Root}");
    var runner = new Runner(options);
    switch (options.Workload)
    {
        case "all":
            await runner.AppendAsync().ConfigureAwait(false);
            await runner.GroupCommitAsync().ConfigureAwait(false);
            await runner.ScanAsync().ConfigureAwait(false);
            runner.Print();
            await RecoveryWorkload.RunAsync(options).ConfigureAwait(false);
            break;
        case "append":
            await runner.AppendAsync().ConfigureAwait(false);
            runner.Print();
            break;
        case "groupcommit":
            await runner.GroupCommitAsync().ConfigureAwait(false);
            runner.Print();
            break;
        case "scan":
            await runner.ScanAsync().ConfigureAwait(false);
            runner.Print();
            break;
        case "producer":
            await runner.ProducerAsync().ConfigureAwait(false);
            runner.Print();
            break;
        case "consume":
            await runner.ConsumeAsync().ConfigureAwait(false);
            runner.Print();
            break;
        case "e2e":
            await runner.EndToEndAsync().ConfigureAwait(false);
            runner.Print();
            break;
        case "recovery":
            await RecoveryWorkload.RunAsync(options, options.Rounds).ConfigureAwait(false);
            break;
        case "replication":
            await ReplicationWorkload.RunAsync(options).ConfigureAwait(false);
            break;
        case "read-io":
            ReadIoWorkload.Run(options);
            break;
        case "alloc-check":
            return await AllocationCheck.RunAsync(options).ConfigureAwait(false);
        default:
            Console.Error.WriteLine($"Unknown workload '{options.Workload}'.\n{HarnessOptions.Usage}");
            return 2;
    }

    Console.WriteLine($"Load average at the end: {MachineInfo.LoadAverage()}");
    return 0;
}
finally
{
    try
    {
        Directory.Delete(options.Root, recursive: true);
    }
    catch (IOException e)
    {
        Console.Error.WriteLine($"Could not remove {options.Root}: {e.Message}");
    }
}
