namespace CommitLog.TestKit;
internal static class Placeholder { }
