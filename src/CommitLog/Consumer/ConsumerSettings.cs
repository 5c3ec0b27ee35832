using CommitLog.Groups;
using Microsoft.Extensions.Logging;

namespace CommitLog;

/// <summary>Everything a consumer is built from besides its deserializers and handlers.</summary>
/// <param name="Config">The Kafka-style settings.</param>
/// <param name="TimeProvider">The clock for waits, auto-commit and metrics.</param>
/// <param name="LoggerFactory">Creates the <c>CommitLog.Consumer</c> logger.</param>
/// <param name="GroupOffsets">Where committed offsets live (the broker's store, or a test's).</param>
/// <param name="MembershipFactory">Creates the group membership for <c>Subscribe</c>.</param>
/// <param name="CloseTimeout">How long closing waits for the final commit and the group leave.</param>
internal sealed record ConsumerSettings(
    ConsumerConfig Config,
    TimeProvider TimeProvider,
    ILoggerFactory LoggerFactory,
    IGroupOffsets GroupOffsets,
    Func<ConsumerConfig, ILogger, IGroupMembership> MembershipFactory,
    TimeSpan CloseTimeout);
