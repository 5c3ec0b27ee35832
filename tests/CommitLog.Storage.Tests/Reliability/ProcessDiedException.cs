namespace CommitLog.Storage.Tests.Reliability;

/// <summary>A step failed because the simulated process died (the crash point was reached); not a test failure.</summary>
internal sealed class ProcessDiedException(Exception? inner)
    : Exception("The simulated process died at its crash point.", inner);
