namespace CommitLog.Storage.Tests.Reliability;

/// <summary>The real log disagreed with the reference model: a broken guarantee.</summary>
internal sealed class ModelViolationException(string message) : Exception(message);
