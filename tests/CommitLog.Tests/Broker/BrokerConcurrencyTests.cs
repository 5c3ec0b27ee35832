using CommitLog.Storage;

namespace CommitLog.Tests.Broker;

public class BrokerConcurrencyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("disk")]
    [InlineData("memory")]
    public async Task CreateTopic_ManyInParallel_AllExistAfterReopen(string kind)
    {
        using var k = BrokerKind.Create(kind);
        var names = Enumerable.Range(0, 24).Select(i => $"topic-{i:D2}").ToList();
        await using (var broker = await k.OpenAsync())
        {
            await Task.WhenAll(names.Select(n => Task.Run(async () => await broker.Admin.CreateTopicAsync(n, 1 + (n.Length % 3), cancellationToken: Ct), Ct)));
            Assert.Equal(names, await broker.Admin.ListTopicsAsync(Ct));
        }

        await using var reopened = await k.OpenAsync();
        Assert.Equal(names, await reopened.Admin.ListTopicsAsync(Ct));
    }

    [Fact]
    public async Task CreateTopic_SameNameInParallel_ExactlyOneSucceeds()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();

        var attempts = Enumerable.Range(1, 8)
            .Select(p => Task.Run(async () => await broker.Admin.CreateTopicAsync("orders", p, cancellationToken: Ct), Ct))
            .ToList();
        await Task.WhenAll(attempts.Select(t => t.ContinueWith(_ => { }, Ct, TaskContinuationOptions.None, TaskScheduler.Default)));

        Assert.Equal(1, attempts.Count(t => t.IsCompletedSuccessfully));
        Assert.All(attempts.Where(t => t.IsFaulted), t => Assert.IsType<TopicAlreadyExistsException>(t.Exception!.InnerException));
    }

    [Fact]
    public async Task Append_WhileConfigIsAlteredRepeatedly_LosesAndDuplicatesNothing()
    {
        await using var broker = CommitLog.Broker.CreateInMemory();
        await broker.Admin.CreateTopicAsync("orders", 1, cancellationToken: Ct);
        var partition = new TopicPartition("orders", 0);
        using var stop = new CancellationTokenSource();

        Task altering = Task.Run(async () =>
        {
            for (int i = 0; !stop.IsCancellationRequested && i < 50; i++)
            {
                await broker.Admin.AlterTopicConfigAsync("orders", new TopicConfig { SegmentBytes = 4096 + (1024 * (i % 4)) }, Ct);
            }
        }, Ct);
        var offsets = new List<long>();
        for (int i = 0; i < 300; i++)
        {
            offsets.Add((await broker.AppendAsync(partition, Batches.Of($"r{i}"), Ct)).FirstOffset);
        }

        await stop.CancelAsync();
        await altering;

        Assert.Equal(Enumerable.Range(0, 300).Select(i => (long)i), offsets);
        Assert.True(broker.TryGetPartitionLog(partition, out PartitionLog? log));
        Assert.Equal(300, log.LogEndOffset);
    }
}
