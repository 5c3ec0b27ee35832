using Microsoft.Extensions.Logging;

namespace CommitLog;

/// <summary>What a producer was built with, beyond the serializers and partitioner.</summary>
internal sealed record ProducerSettings(ProducerConfig Config, TimeProvider TimeProvider, ILoggerFactory LoggerFactory, TimeSpan DisposeTimeout);
